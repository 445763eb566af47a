// Item 5, .NET (Mono): load the binding, open the workspace, first call; one JSON line. The
// library is the Ductape.dll that scripts/bench-bindings.sh builds (.work/bench/dotnet/), the
// native library found through LD_LIBRARY_PATH (.work/bench/native); bench/run.py compiles it:
//
//   mcs -langversion:7.2 -optimize+ -target:exe -out:ColdStart.exe -r:.work/bench/dotnet/Ductape.dll ColdStart.cs
//   LD_LIBRARY_PATH=.work/bench/native mono ColdStart.exe WORKSPACE_DIR   (Ductape.dll beside the .exe)
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace Ductape.ColdStart
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            var t0 = Stopwatch.StartNew();
            return Run(args[0], t0);
        }

        // A method of its own, so that JIT-compiling Main does not load Ductape.dll before t0 starts:
        // compiling Run loads it, and the constructor's first P/Invoke loads libductape_ffi.so.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static int Run(string workspace, Stopwatch t0)
        {
            var client = new DuctapeClient(new Dictionary<string, object>
            {
                ["workspace_dir"] = workspace,
                ["workspace_key"] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            });
            double opened = t0.Elapsed.TotalMilliseconds;
            // The blocking call, as Go's and Python's programs make (the typed FetchAsync would add a thread hop).
            var c = client.Call("cloud.connections.fetch", new Dictionary<string, object> { ["tag"] = "c0500" }) as IDictionary<string, object>;
            if (c == null || !"c0500".Equals(c["tag"])) throw new InvalidOperationException("unexpected reply");
            double first = t0.Elapsed.TotalMilliseconds;
            Console.WriteLine("{\"lang\":\"dotnet\",\"open_ms\":" + opened.ToString("R", CultureInfo.InvariantCulture)
                + ",\"first_call_ms\":" + first.ToString("R", CultureInfo.InvariantCulture) + "}");
            client.Dispose();
            return 0;
        }
    }
}
