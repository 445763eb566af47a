"""The product page's connection lifecycle in Python: create -> complete -> validate -> fetch ->
list (the quick start, tests/packages/python, goes on to cloud.resources.import).

Against the simulator by default (DUCTAPE_SIM_URL, e.g. http://127.0.0.1:PORT from
`atlas-sim --port 0`, with the default seed's keys); against real Atlas when
MONGODB_ATLAS_PROJECT_ID and MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY (or
MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET) are set. Secrets are never printed.

    python examples/python/lifecycle.py [--async]
"""
import asyncio
import json
import os
import sys
import tempfile

import ductape

TAG = os.environ.get("DUCTAPE_EXAMPLE_TAG", "prod_atlas")


def shown(url):
    """A URL as printed: user info (up to the last '@') and the query may hold credentials."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" in rest:
        rest = "[redacted]@" + rest.rsplit("@", 1)[1]
    return scheme + sep + rest.split("?", 1)[0].split("#", 1)[0]


def settings():
    env = os.environ
    if env.get("MONGODB_ATLAS_PROJECT_ID"):
        creds = {"project_id": env["MONGODB_ATLAS_PROJECT_ID"]}
        if env.get("MONGODB_ATLAS_CLIENT_ID"):
            creds.update(atlas_client_id=env["MONGODB_ATLAS_CLIENT_ID"], atlas_client_secret=env.get("MONGODB_ATLAS_CLIENT_SECRET", ""))
        else:
            creds.update(atlas_public_key=env.get("MONGODB_ATLAS_PUBLIC_API_KEY", ""), atlas_private_key=env.get("MONGODB_ATLAS_PRIVATE_API_KEY", ""))
        base = env.get("MONGODB_ATLAS_BASE_URL")
        return base, creds, f"Atlas at {shown(base or 'https://cloud.mongodb.com')} (MONGODB_ATLAS_* variables)"
    sim = env.get("DUCTAPE_SIM_URL")
    if not sim:
        sys.exit("set DUCTAPE_SIM_URL (start `target/debug/atlas-sim --port 0`) or the MONGODB_ATLAS_* variables")
    # The default seed's happy-path key (a test value only the simulator accepts).
    creds = {
        "project_id": "5c843ba379358e5b3dc2dec6",
        "atlas_public_key": "awqxqtif",
        "atlas_private_key": "a0403a4f-0151-4922-ae89-523b69cd8e04",
    }
    return sim, creds, f"the simulator at {sim}"


def show(label, value):
    print(f"{label}: {json.dumps(value, indent=2, sort_keys=True)}")


class ValidationFailed(Exception):
    """The credentials did not pass: a failure for whoever runs this, so a non-zero exit."""


def show_validation(check):
    show("validate", check)
    return check


def checked(check):
    if not check.get("valid"):
        raise ValidationFailed(f"{check.get('code')}: {check.get('message')}")


def main_sync(workspace, base_url, creds):
    client = ductape.Ductape(workspace_dir=workspace, atlas_base_url=base_url)
    show("create", client.cloud.connections.create({"provider": "mongodb_atlas", "name": TAG, "scopes": ["database"]}))
    show("complete", client.cloud.connections.complete(TAG, creds))
    checked(show_validation(client.cloud.connections.validate(TAG)))
    show("fetch", client.cloud.connections.fetch(TAG))
    show("list", client.cloud.connections.list())


async def main_async(workspace, base_url, creds):
    client = ductape.AsyncDuctape(workspace_dir=workspace, atlas_base_url=base_url)
    show("create", await client.cloud.connections.create({"provider": "mongodb_atlas", "name": TAG, "scopes": ["database"]}))
    show("complete", await client.cloud.connections.complete(TAG, creds))
    checked(show_validation(await client.cloud.connections.validate(TAG)))
    show("fetch", await client.cloud.connections.fetch(TAG))


def main():
    base_url, creds, where = settings()
    print(f"Ductape Python example against {where}")
    workspace = os.environ.get("DUCTAPE_WORKSPACE_DIR") or tempfile.mkdtemp(prefix="ductape-example-py-")
    try:
        if "--async" in sys.argv:
            asyncio.run(main_async(workspace, base_url, creds))
        else:
            main_sync(workspace, base_url, creds)
    except ductape.DuctapeError as e:
        print(f"failed: {e.code}: {e.message}" + (f" (field {e.field})" if e.field else ""), file=sys.stderr)
        return 1
    except ValidationFailed as e:
        print(f"validation failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
