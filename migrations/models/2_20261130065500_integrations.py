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
        COMMENT ON COLUMN "checkins"."source" IS 'API: api\nBOT: bot\nREMINDER: reminder\nIMPORT: import';
        COMMENT ON COLUMN "nudges"."kind" IS 'REMINDER: reminder\nSKIP_RISK: skip_risk\nSTREAK_RISK: streak_risk\nWEEKLY_SUMMARY: weekly_summary\nACCOUNT_NOTICE: account_notice';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        COMMENT ON COLUMN "nudges"."kind" IS 'REMINDER: reminder\nSKIP_RISK: skip_risk\nSTREAK_RISK: streak_risk\nWEEKLY_SUMMARY: weekly_summary';
        COMMENT ON COLUMN "checkins"."source" IS 'API: api\nBOT: bot\nREMINDER: reminder';
        DROP TABLE IF EXISTS "webhook_events";
        DROP TABLE IF EXISTS "webhook_deliveries";
        DROP TABLE IF EXISTS "webhooks";
        DROP TABLE IF EXISTS "idempotent_responses";
        DROP TABLE IF EXISTS "personal_access_tokens";
        DROP TABLE IF EXISTS "imported_habits";
        DROP TABLE IF EXISTS "calendar_feeds";"""


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
    "foebFxfd2+uBeI/2RasBoGmSGWYG1/ltsyS5tKqcLF8mY/YvwYqecJV7Dl+xxSloviSTfL"
    "woFs31ml7bbaxNcl435Fp+RNwjgWuD4/lHgzqE/bnSaM6VXOs4I7vWcTK9VmgLU47rdEdM"
    "lLKCQXRV8sSkOYtzJudKcxpvMyvX1JMMawWn3U3r+rJ9/VsD+PR8RwpKaKhkIH+yO/yp2e"
    "60LsUb2A6yvF3tRhSIPW2aNznO1nM4ctGuyPIYtK9cytLjt3nzw2YmiE2sg5AxNJmywvEU"
    "YbrKpATZRDgFcl2isPtkGIUDghJnZSyTMVgsXyts2yEynQiqzFs2Qw4auXCy8kUwKR2UOM"
    "VL0XVK3/RSGoboAyebdLqVc7ppn1upENU+tyr73Eq2BOy7y+0GuZRg6DRNk0tDA3nXu8IB"
    "p2p2mOWOm/oEBpQUhrxFPrd7ThhUjxyRmxU0b9pAEvsuMzCBFvJdaB6ViP6BvHo6/QgI32"
    "rlDUTBWYUxpGPhXqOMD0hL5Z3b6rNWdM5pD1eZNpTDDA+XvqFouzcUUZNMV7+SNSAuM9ri"
    "4pRL4T+E1h3+2msPWg3w7NpsJc/ehxwc+JCK/4eEeVUshoZY1woZWSNU5XVFrTjON39kzY"
    "GUGXztX0WFjtNq41WZjVfaVJI+yaprKtF6vdbrS6CDlvS8V8+7BjZV94zUH2Ypnf6FsgWV"
    "TZ/K0/wOfe0NQMqVvrBm95E35AiK0+8QuITB4KSWi544JZWq4POYOFxjhBNbfU/uVp+llc"
    "3XlhO3rGx6vE4Ce3vbvlQju6SIoTub2davgm4z611JToJL0fvE2+nDe7j8UK3avIJqwxcW"
    "mzNhBYE3SllBgXdPBNxces2KyqvWW/eEv57csQqLo5Say2XmsrZOpO+T2jqhrRPaOvEzWi"
    "f8axOUlonllQpZVonQ/Q35vN/ikFFAJu/H9iwBMojgI7jHXAPn7+8ivt7Kw6PyMBIvBLeD"
    "C2DLkcQOAbSexIiyAHxgvB9OwPmkdoFv+4HKbDThmAj5CobcHHSW0Ne0MYQYkQD3K3ScQb"
    "onKkKZJgPs6f7/wn4f2dSVG3qGlzU8u4oKXnFanfhPC9h7OcEqLGDr9ERbF7F15pd8QnZZ"
    "w1Bjd24pZO3krVzpErdMuxC7DyxfOv7gLuWpS4YcKsdm4qQ/ZIEsLMM7vQOw4pInuEwIoM"
    "64v2Z/L4rNMoWLlpdfUV4ua+aLkohoiowWobmgWLEdAlNGZIwuBuGDINzflVuJXff2vNMC"
    "N73WRbvf7l5HBRtZKYp4ge0t4r1WsxM/m0cm09mKImeUVMucZZE5FapG4jZMLXNqmVPLnJ"
    "ky58A/B96x8eMFL1JJnYk2mXLn4mS5w5tzYKz8CQnpmLjMP4ZEMDqSNljRgycuig5FkFiP"
    "rwtBAjDvHqfgDYEp2h3c/0PeGwkuupet+zcqY+8Wn6QD0Cou7IphUjhmKkKkQ6Zi1mAdMv"
    "WT2oJ1yFS1+att/ekr6H7qXTqYpgRalw6m2eNgGom6Qs0KuJGuWokPyq1MecknxCEayHUV"
    "3gMgInO6VGkO0ATaDvgfMIWUPhPXenO40GwORXqHIWFjrhiZSKpC6pwRm3/Ay6qT1nR2qe"
    "lIJhbRchYEG0nTWCIFp36aR8PhrdKTNJ4mdJxgbhRWJhOE1cuKeVzPk8WBt8rIZ53M5BCY"
    "plIFlFwpE9cVVso1zl8lW+ICS2FGW50TIeotpdKrPissm4r77Y2iSXzidJXLJr15o5bQVP"
    "+P4EIwh2m2BXFikNduBxf7CvIi0txAWECgWlsIcRDEaWe1FPQx5Ie8g22N7oAZu7UsnXe7"
    "nYh14bwdv6n79uq8xbdcyYqluz25oHiXUK2IfpJYQ58f+r9mNmKGdEklcc8OXI+Rrhm5Xj"
    "LZcpuB6x5wSHXHUx7EkfKCJ413Kt5DwoyhQ8zHwmtLjHKHC8uiZG9XFm3ITxdoKmzIn1or"
    "cj1KqbleFq6nhc0lnA3ptvFY8JfiVpxzn+7Tlx5yYBCq/nMEfkXmj22hyZQwcasKZ8+Ut0"
    "VrwtVe9NjzO6wsdvw7XbGEbGKUtf3OKj3alrf/rg7U4pLhKgKUSMO+Ok4pueCriFoyoeDq"
    "sMXTGFYRr2jc6+pYqcJuq4jXMxqOCXlcE62vXi8VB8lATwivuxn6ULVEV1XCq1DQRki1hQ"
    "7CFnSNB6Q0Kfj0XYwGhP/zMr4Xfoef/P720najhrdAmEswIRWRLqG5mh7sEl4WcsS7YEBm"
    "bET4lwGfsgG8ySKyuAS3V4Obbn+ALBHLfz9znftDQO2ROJv6bLMxuKfIdBG7Bwefr5oXAH"
    "P+iSyzwMbAFIdYVUcJdvdcfbCgHK7yrYXb8IFRxDPoNy/ztR6rRtvku8e3nnWPb11xj2/a"
    "5vmvfvc6JaBpQRE3YdkmA/8Fjk1LtIXWxHIjXxmIT5ZrCJ0NRZMh/8VIfPkqbFEWSEWsWA"
    "HgB1fN3+O8uOh0z+PmKdHBeeKyWrH6FRn6S4oKjv7Nu8TF9eX8+Qa1/XDgIpbcBPHenLjg"
    "n+lSBsQHzFwUbMfmzHXFDPG/C7gzvPa0KLmFN2nYt2wqHewrWPZjpHszGvT5G+22q4ADR5"
    "+/2ZWors/fvN75m9BOhcQpfdde15rq2xwuve7mFYK9mN1rNSvOArZ0a04Y2RetOkaUrS/b"
    "d7o40GzETbTiFqCFtYVrArwf35Qivpo8PIAZZrYD/KeIJA/i+loLzsXNQvJQkupM07Yeos"
    "xgFiDhTRD5WGmuybLp8AWFzSRiMuUpZAxNpuL/taw8YusIPWT5Kmv0WchylBXrXzHj0U6C"
    "+zMStfmTVCkdpN+gFCPb5DVK22BK7fej/gS6THr7j8IL064uVlpO1KRJI8eVvQvqHR6qmC"
    "JsCWAKQn3Tur5sX//WAD79He4HJTQouWx12v9u9VqXjeVieYc/NdsdUSQUcc9RUviQ2Fme"
    "M2LpsaWiKso3f0VVcI4PKMdJXaXCdLsToN9ud606qb8/W6xO4kfWetS/anY6isMAsX0qgW"
    "uOzN5R8gqqonuieuayOARxbkbaEpg9kRTkWzrZ9xr66CZmFFd0EDbnxkSBbSqsUaIKIbqm"
    "My7kG3JdotDpM866BwTVO3xdz+t+y/K+xbdWbYr8Kdb/BxvbdLwSn2Ok2rNQZj4vrAQJJm"
    "dp82GqKhmad3xmP2o7yikDRImqhP62zPzPyzi1NS391YtOPYwZ+6OjS23vT6wfm0O2asGs"
    "cXjDC2eZkplF4E93DizY87JnYBlyle+2EjJjQ/K9ASD2bffPrs24tiOiJ0W8B+UvxCGFmE"
    "J5EQqA3s195hjiERIhUi4Sh4PoIX8KFjGZvMeEa2BrT7rDjCzCRH+hgceBguFcFj8T9xG5"
    "FBxQArBwSdgUOHwvB0PEnhHynmySyYR3D7HlvQjC1koxoyKnC2TmUgbTXoD9FRcy8rqp19"
    "4MXTcgqGC43Uk9h657Uk9VdUVVPK/b3CFQMcLT40xDJPsQaLoJjWcroaTayLAKK/ZO+Uzs"
    "UwUDGKPE2tBQZl7rYDYdzFYCBUwHs+1/MFuTQ2+Oawo11a85zFJQ4bLNS4ppOgw6xXW5zt"
    "zx6UP9qZZXGQqRVFAdqp+e5vH9nZ5mZLo+TYTV8ElVAGG/eQXRPc7lWT3O8KweKzyrBDOl"
    "Qp+ub4ZItL5ZUN9MiFK7tLz++H+EXn5o"
)
