"""Secrets given in the wrong place or the wrong shape never come back through the Python layer:
not in an exception's str, repr, args, message, details or formatted traceback (sync and
asyncio), not in the client's repr, not in a record."""
import asyncio
import traceback

import pytest

import ductape

PROJECT_ID = "5c843ba379358e5b3dc2dec6"
PRIVATE_KEY = "c0ffee00-dead-4bee-8f00-00000ca7a2ee"
SA_SECRET = "mdb_sa_sk_L3akCanaryPython012345678"
PASSWORD = "hunter2-PythonCanary"
NUMBER = 918273645
WORKSPACE_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
OTHER_WORKSPACE_KEY = "HxwdGhsYGRYXFBUSExARDg8MDQoLCAkGBwQFAgMAAQI="
CANARIES = [PRIVATE_KEY, SA_SECRET, PASSWORD, str(NUMBER), WORKSPACE_KEY, OTHER_WORKSPACE_KEY]

BAD_COMPLETES = [
    {"project_id": PRIVATE_KEY, "atlas_public_key": "awqxqtif", "atlas_private_key": PRIVATE_KEY},
    {"project_id": PROJECT_ID, "atlas_public_key": PRIVATE_KEY, "atlas_private_key": PRIVATE_KEY},
    {"project_id": PROJECT_ID, "atlas_public_key": "awqxqtif", "atlas_private_key": PRIVATE_KEY + "x"},
    {"project_id": PROJECT_ID, "atlas_client_id": SA_SECRET, "atlas_client_secret": SA_SECRET},
    {"project_id": PROJECT_ID, "atlas_client_id": PRIVATE_KEY, "atlas_client_secret": SA_SECRET},
    {"project_id": PROJECT_ID, "atlas_client_id": "mdb_sa_id_62f3375a109c0a5dd6bc4e08",
     "atlas_client_secret": f"{SA_SECRET} {PASSWORD}"},
    {"project_id": PROJECT_ID, "atlas_public_key": "awqxqtif", "atlas_private_key": NUMBER},
    {"project_id": PROJECT_ID, "atlas_client_id": "mdb_sa_id_62f3375a109c0a5dd6bc4e08",
     "atlas_client_secret": NUMBER + 0.5},
]


def describe(e: BaseException) -> str:
    parts = [str(e), repr(e), repr(e.args), "".join(traceback.format_exception(type(e), e, e.__traceback__))]
    if isinstance(e, ductape.DuctapeError):
        parts += [e.message, repr(e.field), repr(e.details)]
    return "\n".join(parts)


def assert_no_canary(texts):
    assert len(texts) >= 10
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, text


def test_secrets_in_the_wrong_place_never_come_back(tmp_path):
    texts = []
    client = ductape.Ductape(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9",
                             options={"workspace_key": WORKSPACE_KEY})
    texts += [repr(client), str(client), repr(vars(client))]
    client.cloud.connections.create({"provider": "mongodb_atlas", "name": "conn"})
    for params in BAD_COMPLETES:
        with pytest.raises(ductape.InvalidArgumentError) as info:
            client.cloud.connections.complete("conn", params)
        texts.append(describe(info.value))
    record = client.cloud.connections.fetch("conn")
    texts.append(repr(record))
    assert record["metadata"]["project_id"] is None  # nothing was stored
    assert record["status"] == "pending"

    bad_options = [
        {"atlas_base_url": f"mongodb+srv://admin:{PASSWORD}@cluster0.abcde.mongodb.net/?retryWrites=true"},
        {"atlas_base_url": f"http://admin:{PASSWORD}@cloud.example.com"},
        {"workspace_key": NUMBER},
        {"workspace_key": PASSWORD},
    ]
    for options in bad_options:
        with pytest.raises(ductape.InvalidArgumentError) as info:
            ductape.Ductape({"workspace_dir": str(tmp_path), **options})
        texts.append(describe(info.value))
    # the same workspace opened with another key
    other = ductape.Ductape({"workspace_dir": str(tmp_path), "atlas_base_url": "http://127.0.0.1:9",
                             "workspace_key": OTHER_WORKSPACE_KEY})
    with pytest.raises(ductape.WorkspaceError) as info:
        other.cloud.connections.list()
    texts.append(describe(info.value))
    assert_no_canary(texts)


def test_asyncio_errors_carry_no_secret(tmp_path):
    client = ductape.AsyncDuctape({"workspace_dir": str(tmp_path), "atlas_base_url": "http://127.0.0.1:9",
                                   "workspace_key": WORKSPACE_KEY})
    texts = [repr(client)]

    async def run():
        await client.cloud.connections.create({"provider": "mongodb_atlas", "name": "conn"})
        for params in BAD_COMPLETES:
            with pytest.raises(ductape.InvalidArgumentError) as info:
                await client.cloud.connections.complete("conn", params)
            texts.append(describe(info.value))
        record = await client.cloud.connections.fetch("conn")
        assert record["metadata"]["project_id"] is None
        texts.append(repr(record))

    asyncio.run(run())
    assert_no_canary(texts)
