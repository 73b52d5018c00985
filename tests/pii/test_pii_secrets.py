"""Secret detection per kind: provider formats, keys, JWTs, passwords and DSNs; placeholders ignored."""

from __future__ import annotations

import pytest
from _pii_support import ALNUM, B64, HEX, fake, jwt, pem, spans

from guardkit.validators._secrets import Secrets

DETECTOR = Secrets()
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def found(text: str) -> list[tuple[str, str]]:
    """(kind, flagged text) pairs for *text*."""
    return spans(text, DETECTOR.check(text))


# (kind, token); each is checked bare, in an assignment, quoted in JSON and in prose.
TOKENS = [
    ("AWS_ACCESS_KEY", "AKIA" + fake(16, BASE32, 1)),
    ("AWS_ACCESS_KEY", "ASIA" + fake(16, BASE32, 2)),
    ("GITHUB_TOKEN", "ghp_" + fake(36, ALNUM, 3)),
    ("GITHUB_TOKEN", "gho_" + fake(36, ALNUM, 4)),
    ("GITHUB_TOKEN", "github_pat_11" + fake(20, UPPER_DIGITS, 5) + "_" + fake(59, ALNUM, 5)),
    ("OPENAI_API_KEY", "sk-" + fake(20, ALNUM, 6) + "T3BlbkFJ" + fake(20, ALNUM, 7)),
    ("OPENAI_API_KEY", "sk-proj-" + fake(74, ALNUM + "-_", 8) + "T3BlbkFJ" + fake(74, ALNUM + "-_", 9)),
    ("OPENAI_API_KEY", "sk-svcacct-" + fake(48, ALNUM + "-_", 10)),
    ("ANTHROPIC_API_KEY", "sk-ant-api03-" + fake(93, ALNUM + "-_", 11) + "AA"),
    ("ANTHROPIC_API_KEY", "sk-ant-admin01-" + fake(93, ALNUM + "-_", 12) + "AA"),
    (
        "SLACK_TOKEN",
        "xoxb-" + fake(11, "0123456789", 13) + "-" + fake(12, "0123456789", 14) + "-" + fake(24, ALNUM, 15),
    ),
    (
        "SLACK_TOKEN",
        "xoxp-" + "-".join(fake(11, "0123456789", s) for s in (16, 17, 18)) + "-" + fake(32, HEX, 19),
    ),
    ("SLACK_TOKEN", "xoxe.xoxp-1-" + fake(150, ALNUM, 20)),
    (
        "SLACK_WEBHOOK",
        "https://hooks.slack.com/services/T"
        + fake(8, UPPER_DIGITS, 21)
        + "/B"
        + fake(8, UPPER_DIGITS, 22)
        + "/"
        + fake(24, ALNUM, 23),
    ),
    ("STRIPE_KEY", "sk_live_" + fake(24, ALNUM, 24)),
    ("STRIPE_KEY", "rk_live_51" + fake(97, ALNUM, 25)),
    ("STRIPE_KEY", "sk_test_" + fake(24, ALNUM, 26)),
    ("STRIPE_WEBHOOK_SECRET", "whsec_" + fake(32, ALNUM, 27)),
    ("GOOGLE_API_KEY", "AIza" + fake(35, ALNUM + "-_", 28)),
    ("GOOGLE_OAUTH_SECRET", "GOCSPX-" + fake(28, ALNUM + "-_", 29)),
    ("GITLAB_TOKEN", "glpat-" + fake(20, ALNUM + "-_", 30)),
    ("GITLAB_TOKEN", "glptt-" + fake(40, HEX, 31)),
    ("NPM_TOKEN", "npm_" + fake(36, ALNUM, 32)),
    ("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc" + fake(60, ALNUM + "-_", 33)),
    ("TWILIO_API_KEY", "SK" + fake(32, HEX, 34)),
    ("SENDGRID_API_KEY", "SG." + fake(22, ALNUM + "-_", 35) + "." + fake(43, ALNUM + "-_", 36)),
    ("MAILCHIMP_API_KEY", fake(32, HEX, 37) + "-us12"),
    ("SHOPIFY_TOKEN", "shpat_" + fake(32, HEX, 38)),
    ("HEROKU_API_KEY", "HRKU-AA" + fake(58, ALNUM + "-_", 39)),
    ("DIGITALOCEAN_TOKEN", "dop_v1_" + fake(64, HEX, 40)),
    ("HUGGINGFACE_TOKEN", "hf_" + fake(34, ALNUM, 41)),
    ("AZURE_CLIENT_SECRET", fake(3, ALNUM, 42) + "8Q~" + fake(34, ALNUM + "_~.-", 43)),
    ("DATABRICKS_TOKEN", "dapi" + fake(32, HEX, 44)),
    ("DOPPLER_TOKEN", "dp.pt." + fake(43, ALNUM, 45)),
    ("DROPBOX_TOKEN", "sl." + fake(135, ALNUM + "-_", 46)),
    ("TELEGRAM_BOT_TOKEN", "123456789:AA" + fake(33, ALNUM + "-_", 47)),
    ("SQUARE_TOKEN", "sq0atp-" + fake(22, ALNUM + "-_", 48)),
    ("ATLASSIAN_API_TOKEN", "ATATT3" + fake(186, ALNUM + "-_", 49)),
    ("LINEAR_API_KEY", "lin_api_" + fake(40, ALNUM, 50)),
    ("POSTMAN_API_KEY", "PMAK-" + fake(24, HEX, 51) + "-" + fake(34, HEX, 52)),
    ("PULUMI_TOKEN", "pul-" + fake(40, HEX, 53)),
    ("GRAFANA_TOKEN", "glsa_" + fake(32, ALNUM, 54) + "_" + fake(8, HEX, 55)),
    ("NEW_RELIC_KEY", "NRAK-" + fake(27, UPPER_DIGITS, 56)),
    ("SENTRY_TOKEN", "sntryu_" + fake(64, HEX, 57)),
    ("VAULT_TOKEN", "hvs." + fake(95, ALNUM + "-_", 58)),
    ("AGE_SECRET_KEY", "AGE-SECRET-KEY-1" + fake(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 59)),
    ("PERPLEXITY_API_KEY", "pplx-" + fake(48, ALNUM, 60)),
    ("GROQ_API_KEY", "gsk_" + fake(52, ALNUM, 61)),
    ("REPLICATE_API_TOKEN", "r8_" + fake(37, ALNUM, 62)),
    ("RUBYGEMS_API_KEY", "rubygems_" + fake(48, HEX, 63)),
    ("DOCKER_HUB_TOKEN", "dckr_pat_" + fake(27, ALNUM + "-_", 64)),
    ("DYNATRACE_TOKEN", "dt0c01." + fake(24, UPPER_DIGITS, 65) + "." + fake(64, UPPER_DIGITS, 66)),
    ("SENDINBLUE_API_KEY", "xkeysib-" + fake(64, HEX, 67) + "-" + fake(16, ALNUM, 68)),
    ("JWT", jwt("RS256", 69)),
]


@pytest.mark.parametrize(("kind", "token"), TOKENS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(TOKENS)])
@pytest.mark.parametrize(
    "template",
    ["{t}", "API_KEY={t}\n", '{{"token": "{t}"}}', "Here is my key: {t}. Thanks", "キーは{t}です"],
    ids=["bare", "env", "json", "prose", "ja"],
)
def test_token(kind: str, token: str, template: str) -> None:
    """Each provider token is found with its kind and exact span, in any surrounding."""
    text = template.format(t=token)
    assert found(text) == [(kind, token)]


def test_at_least_forty_secret_kinds() -> None:
    """The breadth target: 40 or more secret kinds."""
    assert len(DETECTOR.KINDS) >= 40


PLACEHOLDERS = [
    "sk-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "OPENAI_API_KEY=YOUR_API_KEY",
    "key: <YOUR_OPENAI_API_KEY>",
    "token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "SLACK_BOT_TOKEN=xoxb-your-bot-token",
    "stripe sk_test_XXXXXXXXXXXXXXXXXXXXXXXX",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
    "password: ********",
    "password=<your-password>",
    "DB_PASSWORD=${DB_PASSWORD}",
    "password = getpass()",
    "pwd = os.environ['DB_PASSWORD']",
    'password = os.getenv("PW")',
    "password: process.env.DB_PASSWORD",
    "PGPASSWORD=$PGPASSWORD",
    "postgresql://localhost:5432/app",
    "postgres://${PGUSER}:${PGPASSWORD}@db/app",
    "mysql://user:<password>@db:3306/app",
    "customer cus_NffrFeUfNV2Hib and pi_3MtwBwLkdIwHu7ix28a3tqPa",
    "the password is incorrect, please reset your password",
    "Password must be at least 8 characters",
    "passwordless login and password_hash column",
    "-----BEGIN PUBLIC KEY-----\n" + fake(64, B64, 70) + "\n-----END PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----\n" + fake(64, B64, 71) + "\n-----END CERTIFICATE-----",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
    "img data:image/png;base64," + fake(120, B64, 72) + "==",
    'integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"',
    "commit 2251b60c38ab4d1e9f0c7a3b5e6d8f9a0b1c2d3e",
    "secret_access_key: 2251b60c38ab4d1e9f0c7a3b5e6d8f9a0b1c2d3e",  # hex SHA, not base64
    # code and prose around the word "password" or "pass"
    "self.username, self.password = credentials",
    "conn = connect(trust_password=trust_password)",
    "self.key_password = key_password",
    'password = config["db"]["password"]',
    "Pass: Union[BaseSmallStatement, MaybeSentinel]",
    "# If there is no anonymous ftp password specified",
    "we can't pass MSG_OOB to this call",
    "tests pass: 128, fail: 3",
    "Password: ****1234",
    "password: n/a",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholder_not_flagged(text: str) -> None:
    """Placeholders, variable references and public material are not secrets."""
    assert found(text) == []


AWS_SECRET = fake(40, B64, 80)


@pytest.mark.parametrize(
    "text",
    [
        f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}",
        f'"secret_access_key": "{AWS_SECRET}"',
        f"aws_secret = '{AWS_SECRET}'",
        f"I'm using the AWS secret access key {AWS_SECRET} but it fails",
        f"Estoy usando mi clave secreta de AWS {AWS_SECRET}",
        f"AWSのシークレットアクセスキー: {AWS_SECRET}",
        f"[default]\naws_access_key_id = AKIA{fake(16, BASE32, 81)}\nsecret_key = {AWS_SECRET}",
    ],
)
def test_aws_secret_with_context(text: str) -> None:
    """A 40-character AWS secret key is found next to a secret-key name or phrase."""
    assert ("AWS_SECRET_KEY", AWS_SECRET) in found(text)


def test_aws_secret_needs_context() -> None:
    """The same 40 characters without an AWS secret-key context are not flagged."""
    assert found(f"value {AWS_SECRET} here") == []
    assert found(f"client_secret = '{AWS_SECRET}'") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DB_PASSWORD=Sup3r$ecret!\n", "Sup3r$ecret!"),
        ('{"password": "hunter-ocean-monkey"}', "hunter-ocean-monkey"),
        ("PGPASSWORD='p@ss w0rd'", "p@ss w0rd"),
        ('smtp_password: "Winter44#"', "Winter44#"),
        ('private static final String PASSWORD = "C0ffee1018!";', "C0ffee1018!"),
        ("user=admin password=8PK8ijOEDP host=db", "8PK8ijOEDP"),
        ("AUTH LOGIN user=notifications pass=M@ple82#", "M@ple82#"),
        ("The admin password is marble17 so don't share", "marble17"),
        ("Mein Passwort ist kn97YCn(*L (bitte nicht weitergeben)", "kn97YCn(*L"),
        ("Mon mot de passe est Soleil2024! merci", "Soleil2024!"),
        ("Mi contraseña es (EQ)PBS9*^y&ugSND (no la compartas)", "(EQ)PBS9*^y&ugSND"),
        ("パスワード: Sakura2024", "Sakura2024"),
        ("パスワードはabc12345です", "abc12345"),
        ("la password è Sole2024!", "Sole2024!"),
        ("a senha é Mar#2024x", "Mar#2024x"),
        ("pw willow60 - please change it", "willow60"),
        ("Kennwort: Tannenbaum#7", "Tannenbaum#7"),
        ("my passphrase: correct-horse-battery-staple", "correct-horse-battery-staple"),
        ("Wachtwoord: Zomer2024!", "Zomer2024!"),
        ("lösenord=Sommar#2024", "Sommar#2024"),
        ("Пароль: Qwerty123!", "Qwerty123!"),
    ],
)
def test_password_value(text: str, value: str) -> None:
    """The value of a password assignment or statement is flagged, without quotes or key."""
    assert found(text) == [("GENERIC_PASSWORD", value)]


@pytest.mark.parametrize(
    "value",
    [
        "postgresql://app:s3cr3t-Pa55@db.example.com:5432/app?sslmode=require",
        "postgresql+psycopg2://etl:FVbLfVZlnphb3paH@localhost:5432/orders",
        "mysql://root:Ocean4394@10.0.0.5:3306/shop",
        "mongodb+srv://django:Will0w3874@cluster0.g8tuk.mongodb.net/crm?retryWrites=true&w=majority",
        "redis://:Sunshine6957@cache.internal:6379/3",
        "amqp://svc:summer-panther@mq.example.com:5672/%2F",
        "jdbc:mysql://db:3306/analytics?user=app&password=M4rble1777",
        (
            "Server=tcp:x.database.windows.net,1433;Initial Catalog=app;User ID=app;Password=_fUnTtDJ4_x;"
            "Encrypt=True;"
        ),
        "Driver={ODBC Driver 18 for SQL Server};Server=db1;Uid=sa;Pwd=Sup3rS3cret!;",
    ],
)
def test_db_connection_string(value: str) -> None:
    """A DSN with credentials is one finding; the password inside is not reported separately."""
    text = f'DATABASE_URL="{value}"\n'
    assert found(text) == [("DB_CONNECTION_STRING", value)]


@pytest.mark.parametrize(
    "block",
    [
        pem("RSA PRIVATE KEY", seed=90),
        pem("PRIVATE KEY", seed=91),
        pem("EC PRIVATE KEY", seed=92),
        pem("OPENSSH PRIVATE KEY", seed=93),
        pem("ENCRYPTED PRIVATE KEY", seed=94),
        pem("RSA PRIVATE KEY", seed=95, indent="    "),
    ],
)
def test_private_key_block(block: str) -> None:
    """A PEM private key is reported as the whole block, BEGIN line through END line."""
    text = f"key: |\n    {block}\nnext: value"
    assert found(text) == [("PRIVATE_KEY", block)]


def test_private_key_json_escaped() -> None:
    """A PEM block written with literal \\n escapes inside a JSON string is one finding."""
    block = pem("PRIVATE KEY", seed=96).replace("\n", "\\n")
    text = f'{{"private_key": "{block}\\n", "client_email": "svc@example.iam.gserviceaccount.com"}}'
    assert ("PRIVATE_KEY", block) in found(text)


def test_private_key_without_end_line() -> None:
    """A truncated block is still flagged, through its last base64 line."""
    block = pem("RSA PRIVATE KEY", seed=97)
    truncated = block.rsplit("\n", 1)[0]
    assert found(truncated + "\n\nThanks") == [("PRIVATE_KEY", truncated)]


def test_bearer_prefix_excluded() -> None:
    """The JWT span leaves out the Bearer prefix."""
    token = jwt(seed=98)
    assert found(f"Authorization: Bearer {token}") == [("JWT", token)]


def test_anthropic_key_is_not_openai() -> None:
    """sk-ant- keys are Anthropic keys even though they also start with sk-."""
    token = "sk-ant-api03-" + fake(93, ALNUM + "-_", 99) + "AA"
    assert found(token) == [("ANTHROPIC_API_KEY", token)]
