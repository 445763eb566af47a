using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace Ductape.Bench
{
    /// <summary>
    /// The per-call cost of a local operation (debug.echo) through the .NET binding: the blocking Call,
    /// CallAsync without a token (ductape_call on the binding's call threads) and with a cancellable token
    /// (ductape_call_cancellable). Prints one Markdown row per API: median and p95 of single calls.
    ///   mono Ductape.Bench.exe [calls]
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            int n = args.Length > 0 ? int.Parse(args[0]) : 20000;
            string dir = Path.Combine(Path.GetTempPath(), "ductape-dotnet-bench-" + Guid.NewGuid().ToString("N"));
            using (var ductape = new DuctapeClient(new Dictionary<string, object> { ["workspace_dir"] = dir, ["debug_operations"] = true }))
            using (var cts = new CancellationTokenSource())
            {
                var request = new Dictionary<string, object> { ["value"] = new Dictionary<string, object> { ["a"] = 1L, ["b"] = "two" } };
                Row("`Call` (blocking)", n, () => ductape.Call("debug.echo", request));
                Row("`CallAsync`, no token", n, () => ductape.CallAsync("debug.echo", request).Wait());
                Row("`CallAsync`, cancellable token", n, () => ductape.CallAsync("debug.echo", request, null, cts.Token).Wait());
                string json = Json.Write(request);
                Row("`CallJson` (no JSON work in C#)", n, () => ductape.CallJson("debug.echo", json, null, CancellationToken.None));
            }
            return 0;
        }

        static void Row(string api, int n, Action call)
        {
            for (int i = 0; i < Math.Min(2000, n); i++) call(); // warm-up: JIT, thread pool
            var times = new double[n];
            var watch = new Stopwatch();
            for (int i = 0; i < n; i++)
            {
                watch.Restart();
                call();
                times[i] = watch.Elapsed.TotalMilliseconds * 1000;
            }
            Array.Sort(times);
            Console.WriteLine("| dotnet | " + api + " | `debug.echo` | " + times[n / 2].ToString("F2") + " | " + times[(int)(n * 0.95)].ToString("F2") + " |");
        }
    }
}
