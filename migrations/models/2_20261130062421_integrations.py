from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "calendar_feeds" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "token" VARCHAR(64) NOT NULL UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL UNIQUE REFERENCES "users" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "calendar_feeds" IS 'The secret part of a user''s private calendar URL; rotating it replaces the row.';
        CREATE TABLE IF NOT EXISTS "idempotent_responses" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(200) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "status" SMALLINT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_idempotent__user_id_380ec4" UNIQUE ("user_id", "key")
);
CREATE INDEX IF NOT EXISTS "idx_idempotent__created_22c5c2" ON "idempotent_responses" ("created_at");
COMMENT ON COLUMN "idempotent_responses"."fingerprint" IS 'SHA-256 of method, path and body';
COMMENT ON TABLE "idempotent_responses" IS 'The answer to a POST sent with an `Idempotency-Key`, replayed for the same key for 24 hours.';
        CREATE TABLE IF NOT EXISTS "imported_habits" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "source" VARCHAR(16) NOT NULL,
    "external_key" VARCHAR(200) NOT NULL,
    "habit_id" INT NOT NULL REFERENCES "habits" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_imported_ha_user_id_0591ce" UNIQUE ("user_id", "source", "external_key")
);
CREATE INDEX IF NOT EXISTS "idx_imported_ha_habit_i_c21c20" ON "imported_habits" ("habit_id");
COMMENT ON COLUMN "imported_habits"."source" IS '`smarthabit` or `loop`';
COMMENT ON TABLE "imported_habits" IS 'Which habit an imported one became, so importing the same file again adds nothing twice.';
        CREATE TABLE IF NOT EXISTS "personal_access_tokens" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "scope" VARCHAR(8) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "last_used_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_personal_ac_user_id_6c6864" ON "personal_access_tokens" ("user_id");
COMMENT ON COLUMN "personal_access_tokens"."scope" IS 'READ: read\nWRITE: write';
COMMENT ON TABLE "personal_access_tokens" IS 'A long-lived API token a user made for a script or an app; only its SHA-256 hash is stored.';
        CREATE TABLE IF NOT EXISTS "webhooks" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "url" VARCHAR(2000) NOT NULL,
    "events" JSONB NOT NULL,
    "secret" VARCHAR(64) NOT NULL,
    "failing_since" TIMESTAMPTZ,
    "disabled_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_webhooks_user_id_00d44f" ON "webhooks" ("user_id");
COMMENT ON COLUMN "webhooks"."events" IS 'the event names it subscribes to';
COMMENT ON COLUMN "webhooks"."failing_since" IS 'first failure of the current failing run';
COMMENT ON TABLE "webhooks" IS 'An outgoing webhook: events of the user POSTed to `url`, signed with `secret` (HMAC needs it in clear).';
        CREATE TABLE IF NOT EXISTS "webhook_events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event" VARCHAR(32) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "dispatched_at" TIMESTAMPTZ,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_webhook_eve_dispatc_183464" ON "webhook_events" ("dispatched_at", "id");
COMMENT ON TABLE "webhook_events" IS 'The outbox: an event written in the same transaction as the change it reports, fanned out';
        CREATE TABLE IF NOT EXISTS "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "delivery_id" UUID NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL,
    "attempts" SMALLINT NOT NULL,
    "next_attempt_at" TIMESTAMPTZ NOT NULL,
    "response_status" SMALLINT,
    "latency_ms" INT,
    "error" VARCHAR(200),
    "created_at" TIMESTAMPTZ NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "event_id" BIGINT NOT NULL REFERENCES "webhook_events" ("id") ON DELETE CASCADE,
    "webhook_id" INT NOT NULL REFERENCES "webhooks" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_webhook_del_webhook_606fba" UNIQUE ("webhook_id", "event_id")
);
CREATE INDEX IF NOT EXISTS "idx_webhook_del_status_d0f04a" ON "webhook_deliveries" ("status", "next_attempt_at");
CREATE INDEX IF NOT EXISTS "idx_webhook_del_event_i_9d8063" ON "webhook_deliveries" ("event_id");
COMMENT ON COLUMN "webhook_deliveries"."delivery_id" IS 'X-SmartHabit-Delivery';
COMMENT ON COLUMN "webhook_deliveries"."status" IS 'PENDING: pending\nSENDING: sending\nDELIVERED: delivered\nFAILED: failed';
COMMENT ON TABLE "webhook_deliveries" IS 'One event for one webhook: retried with backoff until delivered or a day has passed.';
        COMMENT ON COLUMN "checkins"."source" IS 'API: api\nBOT: bot\nREMINDER: reminder\nIMPORT: import';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        COMMENT ON COLUMN "checkins"."source" IS 'API: api\nBOT: bot\nREMINDER: reminder';
        DROP TABLE IF EXISTS "calendar_feeds";
        DROP TABLE IF EXISTS "personal_access_tokens";
        DROP TABLE IF EXISTS "webhook_events";
        DROP TABLE IF EXISTS "imported_habits";
        DROP TABLE IF EXISTS "webhook_deliveries";
        DROP TABLE IF EXISTS "idempotent_responses";
        DROP TABLE IF EXISTS "webhooks";"""


MODELS_STATE = (
    "eJztXet32ri2/1e0+DLpusmchjRpL13nA0nolFMSsoCcTs9kliNsBbxiJMYSSblz+r9fSb"
    "bBD9mxecW4+tIGSVu2f1uP/dLW37UJsZBDfz0nrM8gQ7UG+LuG4UT8kag7BDU4nS5rRAGD"
    "Q0c2HhJm0EWzIWUuNBmveIAORbzIQtR07SmzCRbNp3M2JviIIQeNXDg54uRgilxqU4awic"
    "CBSfAT/w0FAT0EM4rcf5hjyIAFGXwDKAEQuIg/0WXi/9kEUSDq6a/iBSxi8jew8WgHz5ph"
    "+68ZMhgZITZGLn/iH3/UHm1sicpHNK/9+Sf/g/9G3xEVteLn9NF4sJFjRQC3JYksN9h8Ks"
    "vamH2SDcVXDQ2TOLMJXjb2vm3R2sZMlI4QRi7nheieuTOBP545js+rgCXeiy+beK8YorHQ"
    "A5w5gouC2nuBZVnNMK67A6PfGhhGLcHhgCLECL+Ioy1GB39VKr9+JF7hqH787v27Dydn7z"
    "7wJvI1FyXvf3iPXgLjEUp4rge1H7Kes8prITFeghpwIgrrxRi6alyD9jFk+SvHkQ1wzII2"
    "KFhiu5wQuwB3Ar8bDsIjNuY/T+oZSP672bv43OwdnNTfiAcSPn+9mX3t19RllQA7BC4f3k"
    "Ww9ZpXENr627c5sOWtUsGVdVF0xZhOwvuvfvdaDW/QPoavZZsM/Bc4fL3bQ5wzYBVIiJ4n"
    "lP7lhNE8uGr+Hgf6otM9l+AQykau7EV2cB4DfTa1BDgGZEnoL3kNsydIDX+UMs4En/TX4I"
    "89ZEXNRdDqYmfubxEZrBm0r1r9QfPqJsKfy+agJWrqsnQeKz04i/Fs0Qn42h58BuIn+E/3"
    "uhVn46Ld4D818U5wxoiBybMBrTBGQXHw9mIffngMbRqiYAjNx2foWkaihtRJWttk1aQ+iZ"
    "dADEeSZwJc8Zq+fHUB+Spi8SUToag4oKrPlMFMv6XxwJvSfILYYIwARaaLuEwk5BvywIUd"
    "IQH9QsHUtZ/46ARBv+C21/kIXMLFPD5MgC2koakDTS4OccmHVzwnha8t9K8QuLSE9YoSFi"
    "OPCBcRAxYEmxEEXhfciBhw9i6HFHD2LlUIEFXR7YjPnBW3oyil3o7Ksh35ozO0G0nUokII"
    "XyCNQotViOLlFav8s2oDS9Za23uUFUk+dDEaEP6PZEabvzvEJlKA7+/ht34ne8WEH8EYC0"
    "qXz3fh82J3DQ89/uX8exHzNoBm/6J52ar92KCsNEbmYxsrxSS/KltCEo1snFM24vwFkuLI"
    "xsJiBMZwyIUSiC3gEC60AAvOwYEQTTyGAa7fggl85PIKF1z46ku5rIPJEZm+SQpGm+5caY"
    "aSffq84f1pU9SrCkqCA8pNPE2dV1lLIjv3Hu7aGQiKnTcm/jxBZ4aSoH1yCEwZjAuKGG4P"
    "giQHXv6A2we4urfnnRa46bUu2v22bwpZSDGyUhTxAttbkHutZieGLyZMAW+66B60X0lyLx"
    "m0UdH9NJcF7zTDgneatOBRMnPNFIBbeDZJiA8RsJfUu7OY8s3TrhUDvNa8aTcAp7vD591B"
    "AwwJu8O91lX7+rLVa/DdaiIe6N7h9tVNt8cb2JMpcVl8R8zDpOOzHDw6jgvuSxaJqiiHhN"
    "9qgijl8oZS4D63R6n7XpJ2JdH75WmxgU2wJiQJ/sK/UMARfrDdiXR3HYIH4kozyxyIuU1z"
    "csXbKf+3Xj85eV9/e3L24fTd+/enH94utsxkVdbeed7+TWyfEa4F+6nWhX9uXTgsw+YUSM"
    "Mkm9GGX5u929CHYxArpCziInuEv6B5TjX3c9DPnsGbV9MNj6scqu7OXAge7gqleMGQdJVY"
    "flNOhbjpK6nPNhsDTgUo12CtmYM+Ak6K4CPXSV1hzxfFgGuhSOqzLnrgy4EoInip84oabI"
    "/GzJknteOtPullB8LftSXyYfsGdM2x/bTcSAi1JTaCHH2f8mdTEUMS9Ohzwx90wWSpycYc"
    "avnjh9bBd6mDy/+LKDx++wrGLBzn0niOMzSeY0XMQujNCsAcI9uhvlNQ2SmTdpke2vSybr"
    "n7MKfaHFEu5BVVLr+1+ry+ATzqO3zVavZve83zTqsBJgjSmStfapXxv3FlkkGXbymFzFVL"
    "Em2vymGv4p+pwDd9XQnaV89eVc8XcJYRb6YevYZlu8hMX79fXlpU/ZQY/1pzYHT4ojJoAM"
    "g4vpCyO8zLrrp+0YTQkhirAiHYWGflT3Sywy3AgrYzL7oDXDbbnW8NIGnv8NdW68tl81u/"
    "AZ4RerTgnN5haWUwblo9Q9TygWNP+G4x5WK7aFMy3gWvneRffwIdJ1XCV3awO+vG24JcE9"
    "qbDShi4J8Bp/jvg7f/vCKY//2mkKHxpP7+bKEJiB9ZSkD/qtnpJK2HyUFRBP0k9ZZsva9h"
    "V9oEvPJ4hFHQxRkh2g9HZ23pnRcmdd9MASnwbcwfAYKuYyNXNPGsFJgwMLEp9eI3N+0iXR"
    "ghErinDuYwSWlXkB2bDJaAxow8RfwMcfvQ+o6Gki0Ye+JXUIR8Jx0L5sx1ERbH1oRBscD0"
    "SRLqSRSfRA7BI0RXADdJqMFN7rUCm+KbbZhqzd12R7pZdLP1zf1hD8ATdGxLOLG3sbXO6A"
    "w6hh80aExsPFNFy2QLjml9lFh85GMTuhgFgYjeO4uTG/7Q2alcqZ3+6ShX1+mvT+FVjetp"
    "p/BKduzhtZm73UAP9WGGwnEeqx5nKIfysuEDDSlQh48axEIKfcpPX3rIgSl6ePJUQ0XAjt"
    "ouIMd6TYhkjMuN6KiqKHnxsgZx7dHaA6ot+0JW1UK1olHtM2u07rC6Fn2URiTfLD5BSPaa"
    "EPX8bqo6jKYuErkzZETXWkD1H+3pzaKzKsG19ahGb2FPC21cLPsvxDcay40mT5Sj0A6AC/"
    "EIgQMbm86M2k/oDbAxeB7b5jhk+LepiDQcE8dqiHwFGNkiohAMPQMFJi6gJpeuFFmptvaU"
    "gtGN4ZhWhC0dylgqWf4QpIcySudZYW/b/njaNhJzlDTqIVXoRDpoSBkk8XNBpm1w6ZN8P6"
    "0x+uBNKewx+uBNPotMWQ/etC3E9WmGMOshOuVfoRRVFa0yRVZ70d5wfYIC2bwgps9cOGQi"
    "a+lNtz8AlHfkHaSBGNwvXsacH/EBdn/oJdmaI+lFk0In5a8v002Igvo7LnjOXIUEu+2HKT"
    "NahGxzOrfqa0ugOv3nNtN/PvDnI3fq+gMvL8oxsjKjXet/bh7VT8+Eb3nCJzmxDsEUyrXD"
    "AkNi5fU2bzkHm8hrPSser7ugqpIktAmXfsDZKJoD9D01z4JVnYUjS0Fo/T6I6AaJfLYL/a"
    "DTvf4taB5PcrvPutsr5Dcru6qWK5ZRe86157wEetoanvOtqmkRp6dKQ4t7RTOUM7+pUSRx"
    "wldp0A8y/IGgD0AwAkNk8pc5FNdMeOUi9/FCM3qwHa5ljaBIY2BZwtjPxrLBs22ipE62zQ"
    "e9pI8t01XxnRy5GDqGSkVTex+026FMC+FhltshI6dZiiT8CnnMVlBG7ukEukyOyHtAXHDv"
    "EDK9X0UF2fzpwciMKgB9nK7MDCiT7q1t35s/taBlVC2j7oOMmlgHtINmbx00XhSfQuJfhP"
    "elS/rLKMI8MUN+IlAwdSDGvn/Du+nkI7jnu++9iOIxHWhPeOUQ8WpxMQq2OPqHwRVzzJ0D"
    "jJ6QK2tompC/7Yetnh9N5hhfQ5IXUy/Uc8iE6n2osEVtsH+tfZRyi8vSPvYr59UKWogqcX"
    "L/S/vG6LX7XxqAPtpTw7XpIy8d9FrNL0G5d7jTqxFZUDrfjP7t1VWz983LlOLMDTqbcA1n"
    "JafK5jWaKifDl8mW/UuuoidY5Z7CV2RxypkvuSQfL4pFa72mV3Yba4+ctw25Vh8R90jg2u"
    "B4/tGgDmF/rjSacyXPOs7InnWcTJ8V2qKU4zrd0RKlrGCQXJU8LWnO4JzJt9KcwtvMujX1"
    "JL9awWl307q+bF//1gA+Pd9xghIaKhnIn+wOf2q2O61L8Qa2gyxv17oRBWLPmuZNfrP1HI"
    "1cdCuyPAbtK5eS9Pht3vyvmQlgE+sgZAxNpqxwvESYrjIpPzYRLoFclyjsOhlG34CgxFkX"
    "y2TsFcvXCtt2iEwneirzls2Qg0YunKx80UtKByVO4VJ0ndI3uZSGIfpAySadauWcbtqnVi"
    "pEtU+tyj61ki0B++5Su0EuJRg6TdPk0tBA3uWucLCpmh1mudumPoEBJYUhb4nP7X4TBtUj"
    "R+ReBc2bNpDEvksMTKCFfBeZRyWieyCvnk4/AsK3WnnDUHAWYQzpWLjPKOMD0lJ537b6rB"
    "Wdb9qDVaYN5TDDg6VvINruDUTUJNPVr1wNiMuMtrgY5VL4B6F1h7/22oNWAzy7NlvpFpwP"
    "OTjwIRX/DwnzqlgMDbGuFTKyRqjK64pacZxv/kiaAykz+Nq/igodp9XGqzIbr7SpJH2SVd"
    "dUovV6rdeXQAct6XmunnfNa6ruGak/zFI6/QtjCyqbPpWn+R362huAlCt9Yc3uI2/IERSn"
    "2yFwCYPBSSwXPXFKKlXB5zFxuMYIJ7b6HtytPksrm68tJ25Z2fR4nQT29rZ9qUZ2SRFDdz"
    "azrV8F3WbWu5Kc9Jai94m304f3cPmhWrV5BdWGLyw2Z8IKAm+UsoIC754IuLn0mhWVV623"
    "7gl/PbljFRZHKTWXy8xlbZ1I3ye1dUJbJ7R14me0TvjXIigtE8srE7KsEqH7GfJ5v8Uho4"
    "BM3n/tWQJkEMFHcI+5Bs7f30V8vZWHQ+VhJF4IbgcXwJYjiR0CaD2JEWUB+MB4P5yA80nt"
    "At/2A5XZZsIxEfIVDLk56Cygr2ljCDEiAe5X6DiDdE9UhDJNBtjT/f+F/T6yqSs39Awva3"
    "h2FRW84rQ6sZ8WsPdyglVYwNbph7YuYuvMLvmE7LKGocbu1FLI2slbt9IlbplWIXbfV750"
    "+8FdyVOXDDlUjs3ESX/IAllYhnd6B2DFJU5wmRBAnVF/zf5eFJtlihYtL7+ivFzWzBclEd"
    "EUGS1Cc0GxYjsEpozIGF0MwgdBuL8rtxK77u15pwVueq2Ldr/dvY4KNrJSFPEC21vEe61m"
    "J342j0ymsxVFziipljnLInMqVI3EbZda5tQyp5Y5M2XOgX8OvGPjxwtepJI6E20y5c7FyX"
    "KHN+fAWPkTDtIxcZl/DIlgdCRtsKIHT1wUHYogsR5fFwA0TTLDzLunKXhDYIp2B/f/kPdC"
    "govuZev+jcrYu8Un6QC0igu7YpgUjpmKEOmQqZg1WIdM/aS2YB0yVW3+alt/+gq6n3qXDq"
    "Ypgdalg2n2OJhGoq5QswJupKtW4oNyK1Ne8glxiAZyXYX3AIjIjC5VmgM0gbYD/gdMIaXP"
    "xLXeHC40m0OR3mFI2JgrRiaSqpA6Z8TmH/Cy6qQ1nV1qOpKJRbScBcFG0jSWSMGpn+bRcH"
    "ir9CSNpwkdJ5gbhZXJBGH1smIe1/NkceCtMvJZJzM5BKapVAElV8rEdYWVco3zV8mWuMBS"
    "mNFW50SIekup9KrPCsum4v56o2gSnzhd5bJJb96oJTTV/yO4EMxhmm1BnBjktdvBxb6CvI"
    "g0NxAWEKjWFkIcBHHaWS0FfQz5Ie9gW6M7YMZuLUvn3W4nYl04b8dv4r69Om/xLVeyYulu"
    "Ty4o3iVTK6KfJNbQ54f+r5mNmCFdUkncswPXY6RrRq6XTLbcZuC6BxxS3eGUB3GkvMBJ45"
    "2K95AwY+gQ87Hw2hKj3OHCsijZ25VFG/LTBZoKG/Kn1opcj1JqrpeF62lhcwlnQ7ptPBb8"
    "pbgV59yn+/SlhxwYhKr/HIFfkfljW2gyJUzcqsLZM+Vt0ZpwtRc99vwOK4sd/05XLCGbGG"
    "Vtv7NKj7bl7b6rA7W4RLiKACXSsK+OU0ou+CqilkwouDps8TSGVcQrGve6OlaqsNsq4vWM"
    "hmNCHtdE66vXS8VBMtATwutuhj5ULdFVlfAqFLQRUm2hg7AFXeMBKU0KPn0XowHh/7yM74"
    "Xf4Se/v7203ajhLRDmEkxIRaRLaK6mB7uEl4Uc8S4YkBkbEf5lwKdsAG+yiCwuwe3V4Kbb"
    "HyBLxPLfz1zn/hBQeyTOpj7bbAzuKTJdxO7Bweer5gXAnH8iyyywMTDFIVbVUYLdPVcfLC"
    "iHq3xr4TZ8YBTxDPrNy3ytx6rRNvnu8a1n3eNbV9zjm7Z5/qvfvU4JaFpQxE1YtsnAf4Fj"
    "0xJtoTWx3MhXBuKT5RpCZ0PRZMh/MRJfvgpblAVSEStWAPjBVfP3OC8uOt3zuHlKdHCeuK"
    "xWrH5Fhv6SooKjf/MucXF9OX++QW0/HLiIJTdBvDcnLvhnupQB8QEzFwXbsTlzXTFD/O8C"
    "7gyvPS1KbuFNGvYtm0oH+wqW/Rjp3owGff5Gu+0q4MDR5292Jarr8zevd/4mtFMhcUrftd"
    "e1pvo2h0uvu3mFYC9m91rNirOALd2aE0b2RauOEWXry/adLg40G3ETrbgFaGFt4ZoA78c3"
    "pYivJg8PYIaZ7QD/KSLJg7i+1oJzcbOQPJSkOtO0rYcoM5gFSHgTRD5WmmuybDp8QWEziZ"
    "hMeQoZQ5Op+H8tK4/YOkIPWb7KGn0WshxlxfpXzHi0k+D+jERt/iRVSgfpNyjFyDZ5jdI2"
    "mFL7/ag/gS6T3v6j8MK0q4uVlhM1adLIcWXvgnqHhyqmCFsCmIJQ37SuL9vXvzWAT3+H+0"
    "EJDUouW532v1u91mVjuVje4U/NdkcUCUXcc5QUPiR2lueMWHpsqaiK8s1fURWc4wPKcVJX"
    "qTDd7gTot9tdq07q788Wq5P4kbUe9a+anY7iMEBsn0rgmiOzd5S8gqronqieuSwOQZybkb"
    "YEZk8kBfmWTva9hj66iRnFFR2EzbkxUWCbCmuUqEKIrumMC/mGXJcodPqMs+4BQfUOX9fz"
    "ut+yvG/xrVWbIn+K9f/BxjYdr8TnGKn2LJSZzwsrQYLJWdp8mKpKhuYdn9mP2o5yygBRoi"
    "qhvy0z//MyTm1NS3/1olMPY8b+6OhS2/sT68fmkK1aMGsc3vDCWaZkZhH4050DC/a87BlY"
    "hlzlu62EzNiQfG8AiH3b/bNrM67tiOhJEe9B+QtxSCGmUF6EAqB3c585hniERIiUi8ThIH"
    "rIn4JFTCbvMeEa2NqT7jAjizDRX2jgcaBgOJfFz8R9RC4FB5QALFwSNgUO38vBELFnhLwn"
    "m2Qy4d1DbHkvgrC1UsyoyOkCmbmUwbQXYH/FhYy8buq1N0PXDQgqGG53Us+h657UU1VdUR"
    "XP6zZ3CFSM8PQ40xDJPgSabkLj2UooqTYyrMKKvVM+E/tUwQDGKLE2NJSZ1zqYTQezlUAB"
    "08Fs+x/M1uTQm+OaQk31aw6zFFS4bPOSYpoOg05xXa4zd3z6UH+q5VWGQiQVVIfqp6d5fH"
    "+npxmZrk8TYTV8UhVA2G9eQXSPc3lWjzM8q8cKzyrBTKnQp+ubIRKtbxbUNxOi1C4trz/+"
    "H2Mgc0g="
)
