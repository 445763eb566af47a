// The quick start in C# (bindings/dotnet/README.md): the product page's calls against the simulator
// that `ductape sim` starts, with the default seed's test key. Options come from the environment:
// MONGODB_ATLAS_BASE_URL and DUCTAPE_CLUSTER_CA_FILE (both printed by `ductape sim`) and
// DUCTAPE_WORKSPACE_DIR.
using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Ductape;

public static class QuickStart
{
    // (mcs, Mono's compiler, has no `async Main`.)
    public static void Main() { Run().GetAwaiter().GetResult(); }

    static async Task Run()
    {
        using (var ductape = new DuctapeClient())
        {
            var connections = ductape.Cloud.Connections;
            var created = await connections.CreateAsync(new Dictionary<string, object>
            {
                ["provider"] = "mongodb_atlas", ["name"] = "prod_atlas", ["scopes"] = new[] { "database" },
            });
            Console.WriteLine("create: " + created["tag"] + " " + created["status"]);
            var completed = await connections.CompleteAsync("prod_atlas", new Dictionary<string, object>
            {
                ["project_id"] = "5c843ba379358e5b3dc2dec6",
                ["atlas_public_key"] = "awqxqtif",
                ["atlas_private_key"] = "a0403a4f-0151-4922-ae89-523b69cd8e04", // the simulator's test key
            });
            Console.WriteLine("complete: " + completed["tag"] + " " + completed["status"]);
            var check = await connections.ValidateAsync("prod_atlas");
            Console.WriteLine("validate: " + (true.Equals(check["valid"]) ? "valid" : "invalid") + " " + check["account_identifier"]);

            await ductape.Products.CreateAsync(new Dictionary<string, object> { ["name"] = "My Product", ["tag"] = "my-product" });
            await ductape.Products.Environments.CreateAsync(new Dictionary<string, object> { ["product"] = "my-product", ["slug"] = "prd" });
            var imported = await ductape.Cloud.Resources.ImportAsync(new Dictionary<string, object>
            {
                ["cloud"] = "prod_atlas", ["service"] = "atlas-cluster", ["type"] = "databases",
                ["product"] = "my-product", ["component"] = "db-mongo", ["env"] = "prd", ["resource"] = "Cluster0",
                ["connection_type"] = "standard", // the simulator's clusters have no SRV record
            });
            Console.WriteLine("import: " + imported["database_user"] + " " + imported["connection_url_ref"] + " "
                + (true.Equals(imported["verified"]) ? "verified" : "not verified"));
            Console.WriteLine("ductape " + DuctapeClient.Version);
        }
    }
}
