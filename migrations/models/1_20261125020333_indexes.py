from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE INDEX IF NOT EXISTS "idx_checkins_bot_mes_e5956c" ON "checkins" ("bot_message_id");
        CREATE INDEX IF NOT EXISTS "idx_nudges_habit_i_fdfb89" ON "nudges" ("habit_id");
        CREATE INDEX IF NOT EXISTS "idx_refresh_tok_user_id_9ddaa8" ON "refresh_tokens" ("user_id");
        CREATE INDEX IF NOT EXISTS "idx_skip_predic_day_927948" ON "skip_predictions" ("day");
        CREATE INDEX IF NOT EXISTS "idx_telegram_li_user_id_5ddeac" ON "telegram_link_codes" ("user_id");
        CREATE INDEX IF NOT EXISTS "idx_users_timezon_4e1051" ON "users" ("timezone");
        CREATE INDEX IF NOT EXISTS "idx_users_telegra_f5be64" ON "users" ("telegram_chat_id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_telegram_li_user_id_5ddeac";
        DROP INDEX IF EXISTS "idx_skip_predic_day_927948";
        DROP INDEX IF EXISTS "idx_refresh_tok_user_id_9ddaa8";
        DROP INDEX IF EXISTS "idx_checkins_bot_mes_e5956c";
        DROP INDEX IF EXISTS "idx_nudges_habit_i_fdfb89";
        DROP INDEX IF EXISTS "idx_users_telegra_f5be64";
        DROP INDEX IF EXISTS "idx_users_timezon_4e1051";"""


MODELS_STATE = (
    "eJztXW1X4zYW/is6+VI4C1MIAzObOf0QILOTDhBOEradlh6PYovEJ46UWjJMtp3/vrqyHb"
    "8HOyTBSf0JLOnKznNl6bkvkv+qTZhBLP7mnImewILUGuivGsUT+CdRd4BqeDoNaqBA4IGl"
    "Gg+Y0Pi82YALG+tCVjxgixNZZBCu2+ZUmIxC8+lMjBg9FMQiQxtPDqU4mhKbm1wQqhO0pz"
    "P6KK8xCPAD5HBi/6iPsEAGFngfcYYwsom8oy3grzMhHEE9fwMPYDBdPoFJhxu4l0PNPx2i"
    "CTYkYkRsecfff6+NTWpA5ZjMan/8If+R1+Qb4VALl9Ox9mASy4gAbioRVa6J2VSVtan4qB"
    "rCrxpoOrOcCQ0au79t3tqkAkqHhBJb6gK6F7YD+FPHsjxd+SpxHzxo4j5iSMYgD9ixQIsg"
    "7T5AUFbTtJtOX+u1+ppWS2jYlwgpwiuSaMPokI/K1a8fwiMc1o/fvnv7/uTs7XvZRD3mvO"
    "Tdd/fWATCuoILnpl/7ruqlqtwWCuMAVF8TUVgvRthOx9VvH0NWPnIcWR/HRdD6BQG2wQux"
    "CXAn+JtmEToUI3l5Ul+A5H+b3YtPze7eSX0fbsjk++u+2TdeTV1VAdghcOXwLoKt23wHoa"
    "0fHeXAVrbKBFfVRdGFMZ2E9+de5yYdXr99DF/D1AX6G1lyvttCnBfACkhAzxPO/7TCaO5d"
    "N3+NA31x1TlX4DAuhrbqRXVwHgPdmRoAjoZFEvpLWSPMCUmHPyoZV4In+sb/ZwtVUbMJNj"
    "rUmnlLxALV9NvXrV6/eX0b0c9ls9+CmroqncVK985iOpt3gn5p9z8huES/dW5acTXO2/V/"
    "q8EzYUcwjbInDRthjPxi/+lhHX4YhxYNKBhgffyEbUNL1LA6y2qbrJrUJ/ESTPFQ6QzAhc"
    "f0+NXFiOjjNk2jXn7VQualQyOT8nzEq0MJUhKHJgUWhEZ4YAqEqYEspmNLcp4Z2pNEBrmj"
    "Dsk5G03wWFIem0yJJD2SDFF2yKb7Saa16s5TqZXqU3Ppj+yvolevSq9AA6nzZNYSlcYAIp"
    "PjFk6MCxCEyS22wjxiyyFJ0D5aDGcMxrlEDLcHEMmBlzfgtgGuzt35VQvddlsX7V7bW97n"
    "C4WqhCJZYCprtdZtNa9i+FImUuDNZqV++6VoacmgjbLS01ys9HQBKz1NslLOHFvPALhFnY"
    "kCuS2fClO3WQTsQHpzVoBcPM1aMcBrzdt2A0m5e3re6TfQgIl72m1dt28uW92GXK0mcEM7"
    "vgLmUcrxWQ6dHMe5UKASqIpqBHwvE8K55Bda2iJ3bg4z17mk7PNr3lKvwQoWvRowB/nAP3"
    "AkEX4w7Yly2RygB2YDgbBmCN5lnlMr7sr473r95ORd/ejk7P3p23fvTt8fzZfIZNWitfK8"
    "/R9YLiNa89fPQFe65NDLmRdRycq8KIt54Q3skHWhUItoPcxZcxLQsMhSr2Tp1LsCJpow2W"
    "IQp7AqZhNzSD+TWWJdiqHq2Vyf/H62DN7v/gDyS4OhaeOnuTkUGVfy18vfTFwmddHsXTQv"
    "JVl9HTPYxT3FCJ4rJNsEVr8ppwHc9IzSJ1OMkJRCXFqshmORD0iKEjyWNqgtzVgMxUhanU"
    "TZrzZ5kNMBFDEa2LhQQ83hSFizpDW81julmMYxO/ivWoB8DWIantKxrY/Mx2AhYdxU2IA4"
    "+TaV9+YQB/F79LThDTr/ZampxhJqdfG9srk3aXOrv0UMHK/9Dvrdj3NZOMcLLJzjFL976M"
    "kKwBwT26B9U9C4KZM1mR2ee96W3HyorjYjXJK8osbkl1ZP1jeQK31Pr1vN3l23eX7VaqAJ"
    "wdyx1UMtM/5XbkwKbMslpZB7KhCp/FM5/FPyZ6bgmz2v+O13zz9Vzxc0XRAzTR+9mmHaRM"
    "+ev5+fWtL6KTH+tWZfu5KTSr+BsJD4Yi7uqSy77nhFE+YGf19/fvFJsPaSmT/RyQaXAAOb"
    "1qzoCnDZbF99aSAle09/abU+Xza/9BroiZCxgWf8niovg3bb6mpQKweOOZGrxVTSdmhTMt"
    "35j53UX2+CLSuT4ad2sDnvxlFBrYH1ZiJOBPrJ15S83jv66ZpR+f9+IUfjSf3d2dwSgItF"
    "RkDvunl1lfQeJgdFEfST0mvy9b6GX2kV8KoUP61gSDMitB2BzVoQjQeXuuemwBx5PuYPiG"
    "DbMokNTVwvBWUCTUzOiZFv0BcLic6dEAncMwdzWKS0M8iGXQYBoDEnT5E4Q9w/9PJAQ8km"
    "jC2JK6SkLSUDC7pj24RC6jU4FAu8PknB6iWKv0QWo0PClwA3KViBm1xrAZvii21Y6oWr7Y"
    "Zss+hi67n7wxGAR2yZBgSx17G0OtzBluYlCWoTkzpp2TGLiWNWHyWmj3JsYpsSP/HQfWbE"
    "HpA3dDbKK6ugfzbKuxv0rzLJd03rWZnk0fl2HmnNyRZCElWix/OJHgBXSniiaJ7HndfNlo"
    "GbN80jNKiKZnmE1q3Q1oJYSqEn+fFzl1g4ww5P7mLYEbCjvgsssX4hRCrH5RY62lWUqGMM"
    "X4rSDfRRGoa5Wnz8jOIXQtQNJSbv4jCa2gS2M6oEpRcB1Rub09t5Z7sE19qT9Nx5KitTbz"
    "6LPZOupwXzZp6kPSC7yMZ0SNCeSXXL4eYj2UcmRU8jUx+F/Ngmh8S5EbOMBpKXlJiQIIcG"
    "rr1NmY24LslCykEBa7tLwWS9cIomoUaVmVcqanqAsjPzVCyocPBoewJHa9oRR9IyAbJBI6"
    "kx/38WZJVLKfsl307nQrWPpBTuhWofST4HQ1n3kbhGYgo7nVuP2cQ0MFLzUFJv2ySaWphC"
    "pAF2IWJ1etQH9HVMZl+BJOoWlrOogQZEVhPE5dol0T/wD5US9kxyx0fJHKGGI/Fk6iSNma"
    "73ZsvvJlEnMLyAn8LsFuoZjhBz3Kww94fCMrXC/uejtuLUZZqPF3Hq7dohsESkMrmt/J72"
    "PrdvtW6797mB+NicarbJx7K03201P/vlbijcrYGc0asvWu/u+rrZ/eLmlVozjTuTCbbzBj"
    "zXnD26y0eFqK3pMC3+wFE03q/WFDkjQ06InHLZOmL8r3kM2zrmHvXeNtRcfcjsQ8C1IfH8"
    "vcEtJv5YajTn2mpwvGCvwXFys0FoiUod19k2WFRyB22wLbG5cuXYBZxkqa0KAaPZ3B6Fqc"
    "v8agVfu9vWzWX75j8N5MnLFccv4aGSvroU9/Rjs33VuoQnMC1iuKvWLRTAmjXNmyq89h1t"
    "kroVmR799ju3gfP4KO9u2YXbZRPzIBaCTKai8G6QsNzOJEiuIl+M2DZLyXHIHrJzgRLvUV"
    "t6j+AaTlaF6WuJZTskVqXFl3nJ9s/6XvpYrIwOSpzwWnSeqs69Ko1CqnjFKuMV5XzdVrZv"
    "osovrfJLSxD+eTa/NDENbDCmVrIpYNtDal33RLI+G5PUY8oj9QeLAmze2WaagKa5A22eFF"
    "JSB4gLOW4MhOGw8N6n5mH99AyNMB99kA3lsIRNPhjZDD5GA2eoEVn8yOCMcTiD7WnELCJv"
    "NTHTj2xb672WDLNVsaoyLR0HC2JVrq6TwN7dtS/TkQ0kYug6jmm8AbnVLCKbRHkBhO4nZl"
    "xGGuaa6ofG3HbwBmrwshVy3kWkyhviWNIbcvY2hzPk7G2mLwSqYr6mb1NTKmEJwywquYOG"
    "2ZYYYrk8InItWWonIq8OgtgK/bq8YxkVRyUrLZdZy5UXLXud3F0vWuXyqVw+JXBPvGBL8X"
    "q9E96Wx1TPRLAdcpFXIrT3Mo9Dws3w8sXUUY2uJ0B5cD6gr1Ra4PL5bSLnW5WZqzLBZCG6"
    "618gU40kcYCw8QgjykD4Qch+pIDUU5pXYv03fPZTa+oRNLU4VF9ce00fQ0gRCXB/wZbVz+"
    "QAUcksDrCl6/8z631kUU9d0AMj+X3cRg6/XUWJV1x2M9SrJO6eMjGtimBXBLtEYerSqbfa"
    "VlcGkl3WGGDsvIwUrp08USObcas9LbGzPJ4n3n3Jaf1j/aY2G0ioLFPANgssfC4M3NfLPo"
    "YDGnCwGyPJq1fQX/WF4lJMPIv4clm3HZWEoqWdxh28CykzdvZ3YGJyS34MpqQzdyp2K/ga"
    "jM4mU2dJyhkVrThnWThniqmROMmq4pwV56w450LO2feS8K9MOr6QRWmsM9FmIe+cp/Vbsr"
    "kExsh/2gMfMVscWvBlBEj0OlQ+WOjBpYvQISSJdeW8gLCuM4cKJODcBf8JkQ7t9r7+qM58"
    "Qhedy9bX/TRn7xrvVCWg7TjZhWFSOGcqIlSlTMW8wVXK1D/UF1ylTO22fitff/YMup12V5"
    "VMUwKrq0qm2eJkGoV6ipnlayPbtIIflNuYmsq2jMImGixtFdkDYnAsnTJp9sgEmxb6F5pi"
    "zp+YbewfzC2bA8RsNGBiJA0jnShTiBhpNtTqb/C86VRZOpu0dJQSi1g5c4GVnJFRIgOnfp"
    "rHwpGtsk/IOE3YOP67UdiYTAju3pEkx/X3OQCXrRYcJpbIMZq7pjIJSq7zKl5KVso1zl/l"
    "qIo5luBGW14TIek1nWOw+6owTD618ExT1wUmobjczh3ltXqnFliq/2O0EMxhmXVBnBjktb"
    "v+xbaCPM801wgFCNLmFsYsgmnWXq0U+RjyA9nBuka3r4zNepbOO52riHfhvB2bOW7urs9b"
    "cslVqgjC7ckJxT3he0n0k8IV9Pmh/9MxCXwSOfULKYsT12OiL8xcLxm3XGfiugtc6udV8i"
    "D+zIdWKrzjeA+Y0AYW08eF55aY5AYnlnnJ1s4slSM/m9DssCO/+rzyjmk9K20uEWzI9o3H"
    "kr9W8VnWLdR/VhAihQq/DKC8X2TdSoCSh5UtD1T8iLRdxCuaU7c8VmkpfbuC1zpjd01im/"
    "qolhK982oOFsXvcNDmuQBeNgxVkKxcQbJHYnPvXcvr0wuJlPmrSUvHyk5zxcpOF8TKThPf"
    "P5AvVQGEveY7iO5x3u9LLPq8RBxdeUdBaArJ/7nXuclKaJ2LxNm9qQv0N7JMvsW8Lg1cAC"
    "NC4X1M966bv8bhvrjqnMe5OXRwnpbZs8lElO//B7aFkc4="
)
