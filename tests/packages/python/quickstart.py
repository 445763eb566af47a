"""The quick start in Python (bindings/python/README.md): the product page's calls against the
simulator that `ductape sim` starts, with the default seed's test key. Options come from the
environment: MONGODB_ATLAS_BASE_URL and DUCTAPE_CLUSTER_CA_FILE (both printed by `ductape sim`)
and DUCTAPE_WORKSPACE_DIR.
"""
import ductape

client = ductape.Ductape()
connections = client.cloud.connections

created = connections.create({"provider": "mongodb_atlas", "name": "prod_atlas", "scopes": ["database"]})
print("create:", created["tag"], created["status"])
completed = connections.complete("prod_atlas", {
    "project_id": "5c843ba379358e5b3dc2dec6",
    "atlas_public_key": "awqxqtif",
    "atlas_private_key": "a0403a4f-0151-4922-ae89-523b69cd8e04",  # the simulator's test key
})
print("complete:", completed["tag"], completed["status"])
check = connections.validate("prod_atlas")
print("validate:", "valid" if check["valid"] else "invalid", check["account_identifier"])

client.products.create({"name": "My Product", "tag": "my-product"})
client.products.environments.create({"product": "my-product", "slug": "prd"})
imported = client.cloud.resources.import_({
    "cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases",
    "product": "my-product", "component": "db-mongo", "env": "prd", "resource": "Cluster0",
    "connection_type": "standard",  # the simulator's clusters have no SRV record
})
print("import:", imported["database_user"], imported["connection_url_ref"], "verified" if imported["verified"] else "not verified")
print("ductape", ductape.__version__)
