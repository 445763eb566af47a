using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Ductape.Bench
{
    /// <summary>
    /// The per-call cost of two local operations through the .NET binding, for scripts/bench-bindings.sh
    /// (BENCHMARKS.md section 4): debug.echo of a small value and cloud.connections.fetch of one connection
    /// created in a temporary workspace (no network), through the blocking <c>Call</c> (Dictionary to JSON,
    /// ductape_call, envelope decoded) and <c>CallJson</c> (JSON text in and out: no JSON work in C#).
    /// Each of N calls is timed on its own with Stopwatch after 2,000 warm-up calls (median, p99), then
    /// calls/s from 1 and 8 threads over 2 s each. Prints one line per case:
    ///   dotnet &lt;api&gt; &lt;operation&gt; &lt;median µs&gt; &lt;p99 µs&gt; &lt;N&gt; &lt;calls/s 1 thread&gt; &lt;calls/s 8 threads&gt;
    ///   mono Ductape.Bench.exe [N]
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            int n = args.Length > 0 ? int.Parse(args[0]) : 20000;
            string dir = Path.Combine(Path.GetTempPath(), "ductape-dotnet-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                using (var ductape = new DuctapeClient(new Dictionary<string, object> { ["workspace_dir"] = dir, ["debug_operations"] = true }))
                {
                    ductape.Call("cloud.connections.create", new Dictionary<string, object> { ["provider"] = "mongodb_atlas", ["name"] = "bench" });
                    var echo = new Dictionary<string, object> { ["value"] = new Dictionary<string, object> { ["a"] = 1L, ["b"] = "two" } };
                    var fetch = new Dictionary<string, object> { ["tag"] = "bench" };
                    string echoJson = Json.Write(echo), fetchJson = Json.Write(fetch);
                    Row("facade", "debug.echo", n, () => ductape.Call("debug.echo", echo));
                    Row("json", "debug.echo", n, () => ductape.CallJson("debug.echo", echoJson, null, CancellationToken.None));
                    Row("facade", "cloud.connections.fetch", n, () => ductape.Call("cloud.connections.fetch", fetch));
                    Row("json", "cloud.connections.fetch", n, () => ductape.CallJson("cloud.connections.fetch", fetchJson, null, CancellationToken.None));
                }
            }
            finally
            {
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
            return 0;
        }

        static void Row(string api, string op, int n, Action call)
        {
            for (int i = 0; i < 2000; i++) call(); // warm-up: JIT
            var times = new double[n];
            var watch = new Stopwatch();
            for (int i = 0; i < n; i++)
            {
                watch.Restart();
                call();
                times[i] = watch.Elapsed.TotalMilliseconds * 1000;
            }
            Array.Sort(times);
            Console.WriteLine("dotnet " + api + " " + op + " " + times[n / 2].ToString("F2") + " " + times[n * 99 / 100].ToString("F2")
                + " " + n + " " + PerSecond(1, call).ToString("F0") + " " + PerSecond(8, call).ToString("F0"));
        }

        /// <summary>Calls per second from <paramref name="threads"/> threads calling in a loop for 2 s.</summary>
        static double PerSecond(int threads, Action call)
        {
            long total = 0;
            var watch = Stopwatch.StartNew();
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() =>
                {
                    long count = 0;
                    while (watch.ElapsedMilliseconds < 2000) { call(); count++; }
                    Interlocked.Add(ref total, count);
                });
                workers[t].Start();
            }
            foreach (var w in workers) w.Join();
            return total / watch.Elapsed.TotalSeconds;
        }
    }
}
