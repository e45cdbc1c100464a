from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" ADD "sessions_revoked_at" TIMESTAMPTZ;
        COMMENT ON COLUMN users."sessions_revoked_at" IS 'tokens issued before are refused';
        -- Hand-written: names are NFC-normalized (as the API now stores them), then active habits
        -- that share an owner and a name (ignoring case) keep the oldest one's name and the others
        -- are renamed "<name> (<id>)", so the partial unique index can be built.
        UPDATE "habits" SET "name" = normalize("name", NFC) WHERE "name" IS NOT NFC NORMALIZED;
        WITH "ranked" AS (
            SELECT "id", "name", row_number() OVER (PARTITION BY "user_id", LOWER("name") ORDER BY "id") AS "n"
            FROM "habits" WHERE "archived_at" IS NULL
        )
        UPDATE "habits" SET "name" = left("ranked"."name", 85) || ' (' || "ranked"."id" || ')'
        FROM "ranked" WHERE "habits"."id" = "ranked"."id" AND "ranked"."n" > 1;
        CREATE UNIQUE INDEX IF NOT EXISTS "uidx_habits_active_name" ON "habits" ("user_id", LOWER("name"))
            WHERE "archived_at" IS NULL;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "uidx_habits_active_name";
        ALTER TABLE "users" DROP COLUMN "sessions_revoked_at";"""


MODELS_STATE = (
    "eJztXW1X4zYW/is6+VI4C1MIAzObOf0QILOTDhBOEradlh6PYotEJ46UWjZMtp3/vrqyHb"
    "8HOyTBSf0JLOnKznNl6bkvkv+qTbhBTPHmnNs9G9uk1kB/1RiewD+JugNUw9NpUAMFNh6Y"
    "qvGA25qYNxsI28K6LSsesCmILDKI0C06tSln0Hw6s0ecHdrEJEMLTw6lOJoSS1BhE6YTtK"
    "dz9iivMQiIA+QIYv2oj7CNDGzjfSQ4wsgi8o6WDX+dCREI6sUbeACD6/IJKBtu4F4Oo386"
    "RLP5kNgjYsk7/v57bUyZAZVjMqv98Yf8R16Tb0RALVxOx9oDJaYRAZwqEVWu2bOpKmsz+6"
    "NqCL9qoOncdCYsaOz+tnlrymwoHRJGLKkL6N62HMCfOabp6cpXifvgQRP3EUMyBnnAjgla"
    "BGn3AYKymqbddPpar9XXtFpCw75ESBFekUQbRod8VKF+/RAe4bB+/Pbd2/cnZ2/fyybqMe"
    "cl7767tw6AcQUVPDf92ndVL1XltlAYB6D6mojCejHCVjqufvsYsvKR48j6OC6C1i8IsA1e"
    "iE2AO8HfNJOwoT2Slyf1BUj+t9m9+NTs7p3U9+GGXL6/7pt949XUVRWAHQJXDu8i2LrNdx"
    "Da+tFRDmxlq0xwVV0UXRjTSXh/7nVu0uH128fwNahuo7+RKee7LcR5AayABPQ8EeJPM4zm"
    "3nXz1zjQF1edcwUOF/bQUr2oDs5joDtTA8DRsJ2E/lLW2HRC0uGPSsaV4Im+8f/ZQlXULI"
    "KNDjNn3hKxQDX99nWr129e30b0c9nst6CmrkpnsdK9s5jO5p2gX9r9Twgu0W+dm1ZcjfN2"
    "/d9q8EzYsbnG+JOGjTBGfrH/9LAOP4xDiwYUDLA+fsKWoSVqeJ1ntU1WTeqTeAlmeKh0Bu"
    "DCY3r86mJE9HGbpVEvv2oh89KhEWUiH/HqMIKUxCFlwILQCA+ojTAzkMl1bErOM0N7ksgg"
    "d9QhOWejCR5LymORKZGkR5Ihxg/5dD/JtFbdeSq1Un1qLv2R/VX06lXpFWggdZ7MWqLSGE"
    "BkctzCiXEBgjC5xVaYR2w6JAnaR5PjjME4l4jh9gAiOfDyBtw2wNW5O79qodtu66Lda3vL"
    "+3yhUJVQJAuoslZr3VbzKoYv43YKvNms1G+/FC0tGbRRVnqai5WeLmClp0lWKrhj6RkAt5"
    "gzUSC35VNh5jaLgB1Ib84KkIsnrRUDvNa8bTeQlLtn551+Aw24fc+6rev2zWWr25Cr1QRu"
    "aMVXwDxKOT7LoZPjOBcKVAJVUY2A72VChJD8Qktb5M7pMHOdS8o+v+Yt9RqsYNGrAXOQD/"
    "yDQBLhB2pNlMvmAD1wCwiEOUPwLoucWnFXxn/X6ycn7+pHJ2fvT9++e3f6/mi+RCarFq2V"
    "5+3/wHIZ0Zq/fga60iWHXs68iEpW5kVZzAtvYIesC4VaROthzpqTgIZFlnolS6feFTDRhM"
    "kWgziFVXGL0CH7TGaJdSmGqmdzffL72TJ4v/sDyC8NhqaFn+bmUGRcyV8vfzNxmdRFs3fR"
    "vJRk9XXMYBf3FCN4rpBsE1j9ppwGcNMzSp+oPUJSCglpsRqOST4gKUrwWNqgljRjMRQjaX"
    "USZb9a5EFOB1DEWWDjQg2jw5FtzpLW8FrvlGIax+zgv2oB8jWIaXhKx5Y+oo/BQsIFVdiA"
    "OPk2lfcWEAfxe/S04Q06/2WpqcYSanWh5rr0uynxxV3XHGp801wdalJ38uE0VZV9v8rG36"
    "SN7ysjt0Hltd9BP/9xLovqeIFFdZzi5w89WQGYY2IbtKcKGlNlsl6zw4HP266bDw3WZkRI"
    "UlnUeP3S6sn6BnKl79l1q9m76zbPr1oNNCFYOJZ6qGXG/8qNVxtbcgkr5A4LRCp/WA5/mP"
    "yZKfhmzyt++93zh9XzBWkXxGjTR69mUIvo2fP381NLWj8lxr/W7GtXclLpNxC2Jb5Y2PdM"
    "ll13vKIJd4PNrz+/+KRbe8nMn+hkg0uAgak5K7oCXDbbV18aSMnes19arc+XzS+9BnoiZG"
    "zgmbhnyquh3ba6GtTKgUMncrWYSuIObUqmO/+xk/rrTbBpZjL81A425005Kqg1sBYpEsRG"
    "P/maktd7Rz9dcyb/3y/k2DypvzubWwJwscgI6F03r66S3srkoCiCflJ6Tb7l1/BjrQJelV"
    "KoFQyhRoS2I5BaC6L/4ML33CJYIM+n/QERbJmUWNDE9YowbqMJFYIY+QZ9sRDs3OmRwD1z"
    "MIdFSjuDbNhlEAAacyoViWvE/VEvD2yUbMLYkjhGSppUMpChO5ZFGKR6gwOzwOuTFKxeov"
    "hLZHI2JGIJcJOCFbjJtRawKb7YhqVeuNpuyDaLLrZeeCEccXjEJjUgaL6OpdURDjY1LylR"
    "m1DmpGXjLCaOWX2UmD7KsYktRvxER/eZEX9A3tDZKK+skgyyUd7dJIMqc33XtJ6VuR6db+"
    "ex1pxsISRRJZY8n1gCcKWEJ4rmldx53WwZuHnTSkKDqmhWSWjdCm1liKUwepIfP3eJiTPs"
    "8OSuiR0BO+q7wBLrF0KkcmpuoaNdRYk5xvClKN1AH6VhmKvFx89gfiFE3VAi9C4Oo6lFYP"
    "ukylp6EVC9MZ3ezjvbJbjWnhTozlNZmYHzWeyZ9EAtmDfzJAkC2UUWZkOC9ijTTUfQR7KP"
    "KENPI6qPQn5sKiBRb8RNo4HkJSMUEvLQwLW3GbeQ0CVZSDmYYG13KZgcGE4JJcx4USZglZ"
    "m3ycw8FQsqHDzansDRmnbgkbRMgGzQSGrM/58FWeVSyn7Jt9O5UO1bKYV7odq3ks/BUNZ9"
    "K66RmMJO59ZjNjENjNQ8lNTbpommJmYQaYBdj1idVvUBfR2T2VcgibqJ5SxqoAGR1QQJuX"
    "ZJ9A/8Q6xsaya546NkjlAjkP1EdZLGTNd7s+V3r6gTH17AT2M7VeDIMsfNCnN/KCxTK+x/"
    "PmorTl2m+XgRp96uHQJLRCqT29jvWe9z+1brtnufG0iM6VSzqBjL0n631fzsl7uhcLcGck"
    "avvmi9u+vrZveLm1dqzjThTCbYyhvwXHP26C4fTaK2wsO0+INA0Xi/WlPkjAw5IXLK5euI"
    "8b/msW/rmHvUe9tQc/Uhtw4B14bE8/eGMLn9x1KjOddWg+MFew2Ok5sNQktU6rjOtsGikj"
    "tog22JzZUrxy7gJEttVQgYzeb2KExd5lcr+Nrdtm4u2zf/aSBPXq44fokIlfTVpX3PPjbb"
    "V61LeAJqEsNdtW6hANasad5U4bXvaJPUrcj06LffuQ2cx0d5d8su3C6bmAexbZPJ1C68Gy"
    "QstzMJkqvIFyOWxVNyHLKH7FygxHvUlt4juIaTXGH6WmLZDolVafFlXrL9s8WXPoYro4MS"
    "J7wWnaeqc7ZKo5AqXrHKeEU5X7eV7Zuo8kur/NIShH+ezS9NTAMbjKmVbArY9pBa1z0Brc"
    "/HJPVY9Ej9waIAm3eWmmZD09yBNk8KKakDJGw5bgyE4XDy3qfmYf30DI2wGH2QDeWwhE0+"
    "GFkcPn4DZ7YRWfzI4UxzOPPtacRNIm81oelHxK31XkuG2apYVZmWjoMFsSpX10lg7+7al+"
    "nIBhIxdB2HGm9AbjWLyCZRXgCh+0kbl5GGuab6oTG3HbyBGrxshZx3EanyhjiW9Iacvc3h"
    "DDl7m+kLgaqYr+nblEolLGGYRSV30DDbEkMsl0dEriVL7UQU1UEQW6Ffl3cso+KoZKXlMm"
    "u58qJlr5O760WrXD6Vy6cE7okXbCler3fC2/KY6pkItkMu8kqE9l7mcUi4GV6+mDqq0fUE"
    "KA/OB/SVSQtcPr9F5HyrMnNVJpgsRHf9C0TVSLIPEDYeYUQZCD/Ysh8pIPWU5pVY/w2f/b"
    "SbegRNLQ7VF95e08cQUkQC3F+wafYzOUBUMosDbOn6/8x6H1nUUxf0wEh+H7eRw29XUeIV"
    "l90M9SqJu6dMTKsi2BXBLlGYunTqrbbVlYFklzUGGDsvI4VrJ0/UyGbcak9L7CyP54l3X3"
    "Ja/1i/qcUHEiqT2rDNAts+Fwbu62UfwwENONiNkeTVK+iv+iJyKSaeRXy5rNuOSkLR0k7j"
    "Dt6FlBk7+zswMbklPwZT0pk7FbsVfA1G55OpsyTljIpWnLMsnDPF1EicZFVxzopzVpxzIe"
    "fse0n4V5SNL2RRGutMtFnIO+dp/aZsLoEx8p/2IEbcsg9N+DICJHodKh8s9ODSRegQksS6"
    "cl5AWNe5w2xkw7kL/hMiHdrtff1RnfmELjqXra/7ac7eNd6pSkDbcbILw6RwzlREqEqZin"
    "mDq5Spf6gvuEqZ2m39Vr7+7Bl0O+2uKpmmBFZXlUyzxck0CvUUM8vXRrZpBT8otzE1lW05"
    "g000WNoqsgfE4Vg6ZdLskQmmJvoXmmIhnrhl7B/MLZsDxC004PZIGkY6UaYQMdJsqNXf4H"
    "nTqbJ0NmnpKCUWsXLmAis5I6NEBk79NI+FI1tln5BxmrBx/HejsDGZENy9I0mO6+9zAC5b"
    "LThMLJFjNHdNZRKUXOdVvJSslGucv8pRFXMswY22vCZC0ms6x2D3VWFQMTXxTFPXBSahuN"
    "zOHeW1eqcWWKr/46wQzGGZdUGcGOS1u/7FtoI8zzTXCAMI0uYWzk2CWdZerRT5GPID2cG6"
    "RrevjM16ls47nauId+G8HZs5bu6uz1tyyVWqCMLtyQnFPeF7SfSTwhX0+aH/06EEPomc+o"
    "WUxYnrMdEXZq6XjFuuM3HdBS718yp5EH/mQysV3nG8B9zWBibXx4XnlpjkBieWecnWzizC"
    "i0try2+CzuhiawI47rkXAlEhnOADEPBxcYs8QEQq7iOrwjtVeGcnwzvVR7d3TOtZyZSJEF"
    "R2xCSWEriKj/Vuof6zQlMpBtLLAMr7nd6tBCh5hN3yQMUPzttFvKKZlstjlZbouSt4rTOi"
    "2yQW1Ue1lJiuV3OwKKqLgzbPhXWzYahCp+UKnT4SS3jvWl5Pb0ikzN/SWjqCeporgnq6II"
    "J6mvgqhnypCiDsNd9BdI/zfnVk0UdH4ujKO9qEpZD8n3udm6w057lInN1T3UZ/I5OKLeZ1"
    "aeACGBEK72O6d938NQ73xVXnPM7NoYPztHyvTaYnff8/L7Bidw=="
)
