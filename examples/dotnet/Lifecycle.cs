// The product page's calls in C# that the core has today: create -> complete -> validate -> fetch -> list
// (Cloud.Resources.ImportAsync joins them with the import issue; until then
// ductape.CallAsync("cloud.resources.import", ...) is how to reach it).
//
// Against the simulator by default (DUCTAPE_SIM_URL, with the default seed's keys); against real Atlas when
// MONGODB_ATLAS_PROJECT_ID and MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY (or
// MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET) are set. Secrets are never printed.
// C# 7.2: builds with Mono's mcs (examples/run-examples.sh) and with `dotnet run` (Lifecycle.csproj).
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Ductape;

namespace Examples
{
    public static class Lifecycle
    {
        static string Env(string name) { return Environment.GetEnvironmentVariable(name) ?? ""; }

        /// <summary>A URL as printed: user info (up to the last '@') and the query may hold credentials.</summary>
        static string Shown(string url)
        {
            int sep = url.IndexOf("://", StringComparison.Ordinal);
            string scheme = sep >= 0 ? url.Substring(0, sep + 3) : "", rest = sep >= 0 ? url.Substring(sep + 3) : url;
            int at = rest.LastIndexOf('@');
            if (at >= 0) rest = "[redacted]@" + rest.Substring(at + 1);
            int cut = rest.IndexOfAny(new[] { '?', '#' });
            return scheme + (cut >= 0 ? rest.Substring(0, cut) : rest);
        }

        static void Show(string label, object value) { Console.WriteLine(label + ": " + Json.Write(value)); }

        static async Task<int> Run(DuctapeClient ductape, string tag, Dictionary<string, object> creds, CancellationToken ct)
        {
            Show("create", await ductape.Cloud.Connections.CreateAsync(new Dictionary<string, object>
            {
                ["provider"] = "mongodb_atlas",
                ["name"] = tag,
                ["scopes"] = new[] { "database" },
            }, ct));
            Show("complete", await ductape.Cloud.Connections.CompleteAsync(tag, creds, ct));
            var check = await ductape.Cloud.Connections.ValidateAsync(tag, ct);
            Show("validate", check);
            if (!true.Equals(check["valid"]))
            {
                Console.Error.WriteLine("validation failed: " + check["code"] + ": " + check["message"]);
                return 1;
            }
            Show("fetch", await ductape.Cloud.Connections.FetchAsync(tag, ct));
            Show("list", await ductape.Cloud.Connections.ListAsync(null, ct));
            return 0;
        }

        public static int Main()
        {
            string baseUrl, where;
            var creds = new Dictionary<string, object>();
            if (Env("MONGODB_ATLAS_PROJECT_ID") != "")
            {
                creds["project_id"] = Env("MONGODB_ATLAS_PROJECT_ID");
                if (Env("MONGODB_ATLAS_CLIENT_ID") != "")
                {
                    creds["atlas_client_id"] = Env("MONGODB_ATLAS_CLIENT_ID");
                    creds["atlas_client_secret"] = Env("MONGODB_ATLAS_CLIENT_SECRET");
                }
                else
                {
                    creds["atlas_public_key"] = Env("MONGODB_ATLAS_PUBLIC_API_KEY");
                    creds["atlas_private_key"] = Env("MONGODB_ATLAS_PRIVATE_API_KEY");
                }
                baseUrl = Env("MONGODB_ATLAS_BASE_URL");
                where = "Atlas at " + Shown(baseUrl != "" ? baseUrl : "https://cloud.mongodb.com") + " (MONGODB_ATLAS_* variables)";
            }
            else
            {
                baseUrl = Env("DUCTAPE_SIM_URL");
                if (baseUrl == "")
                {
                    Console.Error.WriteLine("set DUCTAPE_SIM_URL (start `target/debug/atlas-sim --port 0`) or the MONGODB_ATLAS_* variables");
                    return 2;
                }
                // The default seed's happy-path key (a test value only the simulator accepts).
                creds["project_id"] = "5c843ba379358e5b3dc2dec6";
                creds["atlas_public_key"] = "awqxqtif";
                creds["atlas_private_key"] = "a0403a4f-0151-4922-ae89-523b69cd8e04";
                where = "the simulator at " + baseUrl;
            }
            Console.WriteLine("Ductape .NET example against " + where);
            string workspace = Env("DUCTAPE_WORKSPACE_DIR");
            if (workspace == "") workspace = Path.Combine(Path.GetTempPath(), "ductape-example-dotnet-" + Guid.NewGuid().ToString("N"));
            string tag = Env("DUCTAPE_EXAMPLE_TAG") != "" ? Env("DUCTAPE_EXAMPLE_TAG") : "prod_atlas";
            var options = new Dictionary<string, object> { ["workspace_dir"] = workspace };
            if (baseUrl != "") options["atlas_base_url"] = baseUrl;
            try
            {
                using (var ductape = new DuctapeClient(options))
                using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                {
                    return Run(ductape, tag, creds, deadline.Token).GetAwaiter().GetResult();
                }
            }
            catch (DuctapeException e)
            {
                Console.Error.WriteLine("failed: " + e.Code + ": " + e.CoreMessage + (e.Field != null ? " (field " + e.Field + ")" : ""));
                return 1;
            }
        }
    }
}
