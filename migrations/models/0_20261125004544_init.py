from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "bot_state" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(32) NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "data" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_bot_state_kind_615848" UNIQUE ("kind", "key")
);
COMMENT ON TABLE "bot_state" IS 'python-telegram-bot persistence (conversations, user/chat data) so a restart resumes chats.';
CREATE TABLE IF NOT EXISTS "users" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "email" VARCHAR(254) UNIQUE,
    "password_hash" VARCHAR(128),
    "telegram_user_id" BIGINT UNIQUE,
    "telegram_chat_id" BIGINT,
    "display_name" VARCHAR(64) NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "reminders_enabled" BOOL NOT NULL,
    "nudges_enabled" BOOL NOT NULL,
    "quiet_start" TIME,
    "quiet_end" TIME,
    "bot_blocked" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "users" IS 'A person; reachable over REST (email + password), Telegram, or both once linked.';
CREATE TABLE IF NOT EXISTS "habits" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "description" VARCHAR(500) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "target" DOUBLE PRECISION,
    "unit" VARCHAR(20),
    "target_direction" VARCHAR(16),
    "schedule_kind" VARCHAR(16) NOT NULL,
    "schedule_weekdays" SMALLINT NOT NULL,
    "times_per_week" SMALLINT,
    "start_day" DATE NOT NULL,
    "position" INT NOT NULL,
    "archived_at" TIMESTAMPTZ,
    "current_streak" INT NOT NULL,
    "longest_streak" INT NOT NULL,
    "streak_day" DATE,
    "usual_checkin_minute" SMALLINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_habits_user_id_9577d6" ON "habits" ("user_id", "archived_at", "position");
COMMENT ON COLUMN "habits"."kind" IS 'YES_NO: yes_no\nMEASURABLE: measurable';
COMMENT ON COLUMN "habits"."target_direction" IS 'AT_LEAST: at_least\nAT_MOST: at_most';
COMMENT ON COLUMN "habits"."schedule_kind" IS 'DAILY: daily\nWEEKDAYS: weekdays\nTIMES_PER_WEEK: times_per_week';
COMMENT ON COLUMN "habits"."schedule_weekdays" IS 'bit i set = weekday i (0=Monday)';
COMMENT ON COLUMN "habits"."start_day" IS 'local day the habit was created; earlier days are not missed';
COMMENT ON COLUMN "habits"."streak_day" IS 'local day the cached streaks are valid for';
COMMENT ON COLUMN "habits"."usual_checkin_minute" IS 'learned local minute of day';
COMMENT ON TABLE "habits" IS 'A habit with its schedule; streaks are cached here and refreshed on check-in and nightly.';
CREATE TABLE IF NOT EXISTS "checkins" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "day" DATE NOT NULL,
    "value" DOUBLE PRECISION,
    "note" VARCHAR(500),
    "source" VARCHAR(16) NOT NULL,
    "bot_message_id" BIGINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "habit_id" INT NOT NULL REFERENCES "habits" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_checkins_habit_i_7b5178" UNIQUE ("habit_id", "day")
);
COMMENT ON COLUMN "checkins"."source" IS 'API: api\nBOT: bot\nREMINDER: reminder';
COMMENT ON COLUMN "checkins"."bot_message_id" IS 'the bot''s confirmation, for reply notes';
COMMENT ON TABLE "checkins" IS 'One check-in per habit and local day (the unique key makes repeats a no-op).';
CREATE TABLE IF NOT EXISTS "habit_pauses" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "start" DATE NOT NULL,
    "end" DATE NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "habit_id" INT NOT NULL REFERENCES "habits" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_habit_pause_habit_i_ac9d05" ON "habit_pauses" ("habit_id", "end");
COMMENT ON TABLE "habit_pauses" IS 'A date range (inclusive) in which the habit is on hold: it neither breaks nor scores.';
CREATE TABLE IF NOT EXISTS "nudges" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "day" DATE NOT NULL,
    "key" VARCHAR(120) NOT NULL UNIQUE,
    "planned_at" TIMESTAMPTZ NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "text" VARCHAR(1000) NOT NULL,
    "attempts" SMALLINT NOT NULL,
    "error" VARCHAR(200),
    "sent_at" TIMESTAMPTZ,
    "telegram_message_id" BIGINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "habit_id" INT REFERENCES "habits" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_nudges_user_id_0fe54a" ON "nudges" ("user_id", "day");
CREATE INDEX IF NOT EXISTS "idx_nudges_status_eafe10" ON "nudges" ("status", "planned_at");
COMMENT ON COLUMN "nudges"."kind" IS 'REMINDER: reminder\nSKIP_RISK: skip_risk\nSTREAK_RISK: streak_risk\nWEEKLY_SUMMARY: weekly_summary';
COMMENT ON COLUMN "nudges"."day" IS 'the user''s local day the nudge belongs to';
COMMENT ON COLUMN "nudges"."key" IS 'kind:habit-or-user:day[:slot]';
COMMENT ON COLUMN "nudges"."status" IS 'PENDING: pending\nSENDING: sending\nSENT: sent\nFAILED: failed\nSKIPPED: skipped';
COMMENT ON TABLE "nudges" IS 'A message planned for a user; `key` is claimed before sending, so a retry never sends twice.';
CREATE TABLE IF NOT EXISTS "refresh_tokens" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "family" UUID NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "used_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_refresh_tok_family_8ce7f3" ON "refresh_tokens" ("family");
COMMENT ON TABLE "refresh_tokens" IS 'A refresh token, stored as a SHA-256 hash; reuse of a rotated one revokes its whole family.';
CREATE TABLE IF NOT EXISTS "reminders" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "local_time" TIME NOT NULL,
    "next_fire_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "habit_id" INT NOT NULL REFERENCES "habits" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_reminders_habit_i_748059" UNIQUE ("habit_id", "local_time")
);
CREATE INDEX IF NOT EXISTS "idx_reminders_next_fi_5c224d" ON "reminders" ("next_fire_at");
COMMENT ON TABLE "reminders" IS 'A local reminder time of a habit; `next_fire_at` is the next UTC instant, advanced after firing.';
CREATE TABLE IF NOT EXISTS "skip_predictions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "day" DATE NOT NULL,
    "probability" DOUBLE PRECISION NOT NULL,
    "computed_at" TIMESTAMPTZ NOT NULL,
    "habit_id" INT NOT NULL REFERENCES "habits" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_skip_predic_habit_i_4dbd9e" UNIQUE ("habit_id", "day")
);
COMMENT ON TABLE "skip_predictions" IS 'The learned probability that a habit is skipped on a local day.';
CREATE TABLE IF NOT EXISTS "telegram_link_codes" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "code_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "used_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "telegram_link_codes" IS 'A short-lived one-time code that links a REST account to a Telegram chat (`/start CODE`).';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXW1X4zYW/is6+VI4C1PIDAybOf0QILOTDhBOEradlh6PYovEJ46UWjJMtp3/vrqyHb"
    "8HOyTBSf0JLOnKznNl6bkvkv+qTZhBLP7mnImewILUGuivGsUT+CdRd4BqeDoNaqBA4IGl"
    "Gg+Y0Pi82YALG+tCVjxgixNZZBCu2+ZUmIxC8+lMjBg9FMQiQxtPDqU4mhKbm1wQqhO0pz"
    "P6KK8xCPAD5HBi/6iPsEAGFngfcYYwsom8oy3grzMhHEE9fwMPYDBdPoFJhxu4l0PNPx2i"
    "CTYkYkRsecfff6+NTWpA5ZjMan/8If+R1+Qb4VALl9Ox9mASy4gAbioRVa6J2VSVtan4qB"
    "rCrxpoOrOcCQ0au79t3tqkAkqHhBJb6gK6F7YD+FPHsjxd+SpxHzxo4j5iSMYgD9ixQIsg"
    "7T5AUFbTtJtOX+u1+ppWS2jYlwgpwiuSaMPokI/K1a8fwiMc1o/fvX939vb03Zlsoh5zXv"
    "L+u3vrABhXUMFz0699V/VSVW4LhXEAqq+JKKwXI2yn4+q3jyErHzmOrI/jImj9ggDb4IXY"
    "BLgT/E2zCB2Kkbx8W1+A5H+b3YtPze7e2/o+3JDJ99d9s2+8mrqqArBD4MrhXQRbt/kOQl"
    "s/OsqBrWyVCa6qi6ILYzoJ78+9zk06vH77GL6GqQv0N7LkfLeFOC+AFZCAniec/2mF0dy7"
    "bv4aB/riqnOuwGFcDG3Vi+rgPAa6MzUAHA2LJPSXskaYE5IOf1QyrgRP9I3/zxaqomYTbH"
    "SoNfOWiAWq6bevW71+8/o2op/LZr8FNXVVOouV7p3GdDbvBP3S7n9CcIl+69y04mqct+v/"
    "VoNnwo5gGmVPGjbCGPnF/tPDOvwwDi0aUDDA+vgJ24aWqGF1ltU2WTWpT+IlmOKh0hmAC4"
    "/p8auLEdHHbZpGvfyqhcxLh0Ym5fmIV4cSpCQOTQosCI3wwBQIUwNZTMeW5DwztCeJDHJH"
    "HZJzNprgsaQ8NpkSSXokGaLskE33k0xr1Z2nUivVp+bSH9lfRa9elV6BBlLnyawlKo0BRC"
    "bHLZwYFyAIk1tshXnElkOSoH20GM4YjHOJGG4PIJIDL2/AbQNcnbvzqxa67bYu2r22t7zP"
    "FwpVCUWywFTWaq3bal7F8KVMpMCbzUr99kvR0pJBG2WlJ7lY6ckCVnqSZKWcObaeAXCLOh"
    "MFcls+FaZuswjYgfTmrAC5eJq1YoDXmrftBpJy9/S802+gARP3tNu6bt9ctroNuVpN4IZ2"
    "fAXMo5Tj0xw6OY5zoUAlUBXVCPheJoRzyS+0tEXu3BxmrnNJ2efXvFd7DWpAHeQT/8CRhP"
    "jBtCfKZ3OAHpgNDMKaIXiZeU61uEvjv+v1t2/f14/enp6dvHv//uTsaL5GJqsWLZbn7f/A"
    "ehlRm7+ABsrSJYlezr6ISlb2RVnsC2/sh8wLhVpE62HSmpOBhkWWeidLp94VUNGEzRaDOI"
    "VWMZuYQ/qZzBILUwxVz+j65PezZfB+9weQXxoMTRs/ze2hyLiSv17+ZuJSqYtm76J5Kdnq"
    "69jBLu4pVvBcIdk2sPpNOS3gpmeVPplihKQU4tJkNRyLfEBSlOCxNEJtacdiKEbS7CTKgL"
    "XJg5wOoIjRwMiFGmoOR8KaJc3htd4pxTaOGcJ/1QLkaxDU8JSObX1kPgYLCeOmwgbEybep"
    "vDeHQIjfo6cNb9D5L0tNNZZQq4vvldG9SaNb/S1i4Xjtd9DxfpzLxDleYOIcpzjeQ09WAO"
    "aY2AYNnILWTZnMyez43PPG5OZjdbUZ4ZLkFbUmv7R6sr6BXOl7et1q9u66zfOrVgNNCOaO"
    "rR5qmfG/cmtSYFsuKYX8U4FI5aDK4aCSPzMF3+x5xW+/ew6qer6o6YKgafro1QzTJnr2/P"
    "381JLWT4nxrzX72pWcVPoNhIXEF3NxT2XZdccrmjA3+vv684tPgrWXzPyJTja4BBjYtGZF"
    "V4DLZvvqSwMp2Xv6S6v1+bL5pddAT4SMDTzj91R5GbTbVleDWjlwzIlcLaaStkObkunOf+"
    "yk/noTbFmZDD+1g815N44Kag2sNxNxItBPvqbk9d7RT9eMyv/3Czka39bfn84tAbhYZAT0"
    "rptXV0nvYXJQFEE/KV1iZ29Ra2sV8KocP61gTDMitB2RzVoQjgeXuuemwBx5PuYPiGDbMo"
    "kNTVwvBWUCTUzOiZFv0BeLic6dEAncMwdzWKS0M8iGXQYBoDEnT5E4Q9w/9PJAQ8kmjC2J"
    "K6TkLSUDC7pj24RC7jU4FAu8PknB6iWKv0QWo0PClwA3KViBm1xrAZvii21Y6oWr7YZss+"
    "hi67n7wxGAR2yZBgSx17G0OtzBluZlCWoTkzpp6TGLiWNWHyWmj3JsYpsSP/PQfWbEHpA3"
    "dDbKK6ugfzbKuxv0r1LJd03rWank0fl2HmnNyRZCElWix/OJHgBXSniiaJ7HndfNloGbN8"
    "0jNKiKZnmE1q3Q3oJYTqEn+fFzl1g4ww5PbmPYEbCjvgsssX4hRCrH5RY62lWUqGMMX4rS"
    "DfRRGoa5Wnz8lOIXQtQNZSbv4jCa2gT2M6oEpRcB1Rub09t5Z7sE19qT9Nx5KitTbz6LPZ"
    "OupwXzZp6kPSC7yMZ0SNCeSXXL4eYj2UcmRU8jUx+F/Ngmh8S5EbOMBpKXlJiQIIcGrr1N"
    "mY24LslCykkBa7tLwWS9cIomoUaVmVcqanqAsjPzVCyocPBoewJHa9oSR9IyAbJBI6kx/3"
    "8WZJVLKfsl307nQrWPpBTuhWofST4HQ1n3kbhGYgo7nVuP2cQ0MFLzUFJv3ySaWphCpAF2"
    "IWJ1fNQH9HVMZl+BJOoWlrOogQZEVhPE5dol0T/wT5US9kxyx0fJHKGGI/Fk6iSNma73Zs"
    "vvJlFHMLyAn8LsFuoZzhBz3Kww94fCMlXx3zLNnYv473Zl8y8RVUzuAb+nvc/tW63b7n1u"
    "ID42p5pt8rEs7Xdbzc9+uRu2dmsgv/Pqi9a7u75udr+4OaDWTOPOZILtvMHJNWd67vK5Hm"
    "obOUxhP3AUjc2r+V/OnpC/IadHto54/GuembaOuUe9tw3FBg6ZfQi4NiSevze4xcQfS43m"
    "XNsCjhfsCzhObgwILScF7aWo5A7aS1tiH+XKhwv4w1LbCgL2sbn9BFOXpdUKvna3rZvL9s"
    "1/GsiTlyuOX8JDJX11Ke7px2b7qnUJT2BaxHBXrVsogDVrmjetd+27zyR1KzI9+u13brPl"
    "8VHena0Lt7Ym5kEsBJlMReGdG2G5nUlmXEVuF7FtlpKPkD1k5wIl3k+29H6+NRyDCtPXEs"
    "t2SKxKYS/zku0fzL30GVYZHZQ4ObXoPFWdUVUahVSxhVXGFsr5uq1sj0OVC1rlgpYgVPNs"
    "LmhiGthg/KtkU8C2h7+67ulhfTYmqWeKR+oPFgXDvHPINAFNcwfFPCmkpA4QF3LcGAjDyd"
    "69T83D+skpGmE++iAbymEJG3Iwshl8OQbOOyOy+JHBgeBwXtrTiFlE3mpiph+vttZ7PR8S"
    "q0JLmwwtuapJAnt3175MRzaQiKHrOKbxBuRWM+dvEuUFELqfb3EJZJgaqh8a87LBC6PBu1"
    "HI1xaRKm9EYknnxem7HL6L03eZrguoirmGvk1NqYQl7Kio5A7aUVtiN+VyYMi1ZalNfrw6"
    "Y2Er9OvShGVUHJWstFxmLVdOr+x1cnedXpWHpvLQlMCb8ILduut1Jni7CVMdCcFOw0VOhN"
    "C2xjz+AzchyxdTpyC6hrtyuHxAXyn5JuTz20TOtyrpVSVuyUJ0179AphpJ4gBh4xFGlIHw"
    "g5D9SAGppzQnwvpv+OxnzNQjaGpxqL5m9po+hpAiEuD+gi2rn8kBopJZHGBL1/9n1vvIop"
    "66oAdG8lncRg6/XUWJV1x2M9SrJO6eMjGtimBXBLtEUeXSqbfasVYGkl3WkF3sKIoUrp08"
    "rCKbcastKLFjMp4n3n3Jaf0T86Y2G0ioLFPArggsfC4M3NdLFoazD3CweSLJq1fQX/X131"
    "JMPIv48i7vEloFR0s76Tp4GVKm7OxvrMTklvzQyjZht4IvrehsMnWW5JxR0Yp0loV0ptga"
    "iVOiKtJZkc6KdC4knX0vaf7KpOMLWZRGOxNtFhLPeRq+JZtLYIz8JynwEbPFoQVfHYDErE"
    "PlhIUeXL4IHUJSV1fOCwjrOnOoQALONPCfEOnQbu/rj+o8JXTRuWx93U/z9q7xTlXCWLnI"
    "KWi1cI5TRKhKcYp5b6sUp3+o77ZKcdpt/Va++ewZdDvNpCr5pQRGUpX8ssXJLwr1FKvI10"
    "a2JQQ/KLftM5VtGYU9KliaFrIHxOCENmWB7JEJNi30LzTFnD8x29g/mBsiB4jZaMDESNox"
    "OlGWCzHSTJ7V36CydMpl6SglFrFy5gIrOYKiRAZO/SSPhSNbZR9AcZKwcfx3o7AxmRDcvR"
    "M/jutneU6pqZ8tOKsrkRM09yRlEpRcx0G8lKyUa5y/ykkQcyzB67W8JkLSO3RMwIZ1YZh8"
    "auGZpq4LzEJxuZ07Kmv1Xi0wVf/HaCGYwzIbhPiuf7GtKM9zwzVCAYO02YUxi2CatbsqRT"
    "4G/UB2sC7s/el/s76l807nKuJfOG/Hpo6bu+vzllx096Px8eSM4h53vST6SeEK+vzQ/+mY"
    "BL4PnPq5kMWp5jHRF+aal2xpXWequQtc6rdG8iD+zFdHKrzjeA+Y0AYW08eF55aY5AYnln"
    "nJ1s4slSs/m9DssCu/+tbwjmk9K88tEW7I9o7HsrVW8Y3SLdR/VhgihQq/DKC8nyfdSoCS"
    "p4EtD1T8DLJdxCuaBLc8Vmk5eLuC1zqjd01im/qolhK/82oOFkXwcNDmuRBeNgxVmKxcYb"
    "JHYnPvXcvr1AuJlPmzREtHy05yRctOFkTLThIfGJAvVQGEveY7iO5x3g84LPp+QxxdeUdB"
    "aArJ/7nXuclKaZ2LxNm9qQv0N7JMvsW8Lg1cACNC4X1M966bv8bhvrjqnMe5OXRwnpbbs8"
    "lUlO//B7rSR8I="
)
