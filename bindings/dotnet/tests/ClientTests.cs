using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Ductape.Tests
{
    public static class ClientTests
    {
        internal static DuctapeClient Open()
        {
            string dir = Path.Combine(Path.GetTempPath(), "ductape-dotnet-" + Guid.NewGuid().ToString("N"));
            return new DuctapeClient(new Dictionary<string, object>
            {
                ["workspace_dir"] = dir,
                ["debug_operations"] = true,
                ["atlas_base_url"] = "http://127.0.0.1:9",
            });
        }

        static Dictionary<string, object> Map(params object[] kv)
        {
            var d = new Dictionary<string, object>();
            for (int i = 0; i < kv.Length; i += 2) d[(string)kv[i]] = kv[i + 1];
            return d;
        }

        [Test]
        public static void CallsAnswerResultsAndTypedExceptions()
        {
            using (var ductape = Open())
            {
                var echoed = (List<object>)ductape.Call("debug.echo", Map("value", new object[] { 1, "é", null }));
                Assert.Equal("1|é|", string.Join("|", echoed.Select(x => x == null ? "" : x.ToString())), "echo");
                var e = Assert.Throws<NotFoundException>(
                    () => ductape.Call("debug.error", Map("code", "not_found", "message", "gone", "field", "tag")), "debug.error");
                Assert.Equal("not_found", e.Code, "code");
                Assert.Equal("tag", e.Field, "field");
                Assert.Equal("gone", e.CoreMessage, "message");
                Assert.Throws<NotFoundException>(() => ductape.Cloud.Connections.ValidateAsync("nope").Wait(), "validate an unknown tag");
            }
            var bad = Assert.Throws<InvalidArgumentException>(() => new DuctapeClient(Map("bogus", 1)), "bad options");
            Assert.Equal("bogus", bad.Field, "bad option's field");
        }

        [Test]
        public static void EveryErrorCodeHasItsExceptionClass()
        {
            var codes = ((List<object>)DuctapeClient.Describe()["error_codes"])
                .Select(c => (string)((IDictionary<string, object>)c)["code"]).ToList();
            Assert.Equal(string.Join(",", codes), string.Join(",", Errors.Codes), "Errors.Codes (regenerate Operations.g.cs)");
            using (var ductape = Open())
            {
                foreach (var code in codes)
                {
                    var type = Errors.ClassOf(code);
                    Assert.True(type != typeof(DuctapeException) && type.BaseType == typeof(DuctapeException), code + " has its own class");
                    try { ductape.Call("debug.error", Map("code", code, "message", "m")); throw new Exception("no exception"); }
                    catch (DuctapeException e) { Assert.Equal(type, e.GetType(), code); }
                }
            }
        }

        [Test]
        public static void EveryOperationHasAFacadeMethod()
        {
            var ops = ((List<object>)DuctapeClient.Describe()["operations"]).Cast<IDictionary<string, object>>()
                .Where(o => !true.Equals(o["debug_only"])).Select(o => (string)o["name"]).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(string.Join(",", ops), string.Join(",", DuctapeClient.GeneratedOperations.OrderBy(n => n, StringComparer.Ordinal)),
                "operations with a facade method (regenerate Operations.g.cs)");
            // Each one is reachable by reflection as Namespace.MethodAsync.
            foreach (var name in DuctapeClient.GeneratedOperations)
            {
                var parts = name.Split('.');
                object node = Open();
                for (int i = 0; i < parts.Length - 1; i++)
                    node = node.GetType().GetProperty(Pascal(parts[i])).GetValue(node);
                Assert.True(node.GetType().GetMethod(Pascal(parts[parts.Length - 1]) + "Async") != null, name);
            }
        }

        static string Pascal(string s)
        {
            return string.Concat(s.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p.Substring(1)));
        }

        [Test]
        public static void APanicIsAnExceptionAndTheProcessLivesOn()
        {
            using (var ductape = Open())
            using (var cts = new CancellationTokenSource())
            {
                Assert.Throws<InternalException>(() => ductape.Call("debug.panic", Map("message", "dotnet")), "blocking panic");
                Assert.Throws<InternalException>(() => ductape.CallAsync("debug.panic", Map("message", "a"), null, cts.Token).Wait(), "async panic");
                Assert.Equal(1L, ductape.Call("debug.echo", Map("value", 1)), "after the panics");
            }
        }

        /// <summary>Set at a call's first progress event: the call is running inside the library.</summary>
        sealed class FirstProgress : IProgress<ProgressEvent>
        {
            public readonly ManualResetEventSlim Seen = new ManualResetEventSlim(false);
            public void Report(ProgressEvent e) { Seen.Set(); }
        }

        /// <summary>A call of 100 s that reports progress every 10 ms.</summary>
        static Dictionary<string, object> LongCall() { return Map("steps", 10000, "delay_ms", 10); }

        [Test]
        public static void CancellingACallInFlightReturnsPromptly()
        {
            using (var ductape = Open())
            {
                long before = DuctapeClient.AliveTasks();
                var cts = new CancellationTokenSource();
                var running = new FirstProgress();
                var call = ductape.CallAsync("debug.progress", LongCall(), running, cts.Token);
                // Cancelled once the call is inside the operation (its first progress event), not on a timer.
                Assert.True(running.Seen.Wait(30000), "the call to cancel never reported progress (not running when cancelled)");
                var watch = System.Diagnostics.Stopwatch.StartNew();
                cts.Cancel();
                Assert.Throws<CancelledException>(() => call.Wait(), "cancelled call");
                Assert.True(watch.ElapsedMilliseconds < 2000, "cancel took " + watch.ElapsedMilliseconds + " ms");
                Assert.True(DuctapeClient.AliveTasks() <= before, "no task left running in the library");
                // A token that times out cancels the same way; the call had reported progress before it did.
                var timed = new CancellationTokenSource(2000);
                var timedRunning = new FirstProgress();
                Assert.Throws<CancelledException>(() => ductape.CallAsync("debug.progress", LongCall(), timedRunning, timed.Token).Wait(), "a timed token");
                Assert.True(timedRunning.Seen.IsSet, "the call to time out never reported progress (not running at its timeout)");
                Assert.Throws<CancelledException>(() => ductape.CallAsync("debug.echo", Map("value", 1), null, timed.Token).Wait(), "a cancelled token");
                // The workspace is consistent afterwards.
                ductape.Cloud.Connections.CreateAsync(Map("provider", "mongodb_atlas", "name", "after_cancel")).Wait();
                var list = ductape.Cloud.Connections.ListAsync().Result;
                Assert.Equal(1, ((List<object>)list["connections"]).Count, "connections after the cancel");
            }
        }

        [Test]
        public static void SixtyFourTasksCallAtOnce()
        {
            using (var ductape = Open())
            using (var cts = new CancellationTokenSource())
            {
                foreach (var token in new[] { CancellationToken.None, cts.Token })
                {
                    string name = "dotnet-" + token.CanBeCanceled;
                    var calls = Enumerable.Range(0, 64)
                        .Select(_ => ductape.CallAsync("debug.rendezvous", Map("name", name, "parties", 64, "timeout_ms", 20000), null, token))
                        .ToArray();
                    Assert.True(Task.WaitAll(calls, TimeSpan.FromSeconds(30)), "64 calls met inside the library");
                }
            }
        }

        sealed class Collect : IProgress<ProgressEvent>
        {
            public readonly List<ProgressEvent> Events = new List<ProgressEvent>();
            public void Report(ProgressEvent e) { lock (Events) Events.Add(e); }
        }

        [Test]
        public static void ProgressEventsArriveBeforeTheResult()
        {
            using (var ductape = Open())
            {
                var seen = new Collect();
                var result = (IDictionary<string, object>)ductape.CallAsync("debug.progress", Map("steps", 3), seen).Result;
                Assert.Equal(3L, result["reported"], "reported");
                Assert.Equal(3, seen.Events.Count, "events");
                Assert.Equal(3L, seen.Events[2].Total, "total");
                Assert.Equal("debug.progress", seen.Events[0].Operation, "operation");
            }
        }

        sealed class Throwing : IProgress<ProgressEvent>
        {
            public int Calls;
            public void Report(ProgressEvent e) { Calls++; throw new InvalidOperationException("listener bug"); }
        }

        [Test]
        public static void AThrowingListenerIsDroppedForTheCallWhichCompletes()
        {
            using (var ductape = Open())
            {
                var throwing = new Throwing();
                var result = (IDictionary<string, object>)ductape.CallAsync("debug.progress", Map("steps", 3), throwing).Result;
                Assert.Equal(3L, result["reported"], "the call completes");
                Assert.Equal(1, throwing.Calls, "called once, then dropped for the call");
            }
        }

        [Test]
        public static void DisposedClientRefusesCalls()
        {
            var ductape = Open();
            ductape.Dispose();
            ductape.Dispose();
            Assert.Throws<ObjectDisposedException>(() => ductape.Call("debug.echo", null), "call after Dispose");
            Assert.Equal(DuctapeClient.Version, DuctapeClient.NativeVersion, "the assembly's version is the native library's");
        }

        [Test]
        public static void JsonRoundTrips()
        {
            string text = "{\"a\":[1,-2,9007199254740991,1.5,0,12345678901234567890],\"b\":\"h\\u00e9 \\\"q\\\" \\\\ \\n\",\"c\":null,\"d\":true}";
            var value = (IDictionary<string, object>)Json.Read(text);
            Assert.Equal(9007199254740991L, ((List<object>)value["a"])[2], "long");
            Assert.Equal(1.5, ((List<object>)value["a"])[3], "double");
            Assert.Equal(12345678901234567890m, ((List<object>)value["a"])[5], "decimal");
            Assert.Equal("hé \"q\" \\ \n", value["b"], "string");
            Assert.Equal(Json.Write(value), Json.Write(Json.Read(Json.Write(value))), "write, read, write");
            Assert.Throws<FormatException>(() => Json.Read("{oops"), "malformed");
            var expando = new System.Dynamic.ExpandoObject() as IDictionary<string, object>;
            expando["k"] = new[] { 1, 2 };
            Assert.Equal("{\"k\":[1,2]}", Json.Write(expando), "an IDictionary<string, object> that is not an IDictionary");
            Assert.Throws<FormatException>(() => Json.Read(new string('[', 600) + new string(']', 600)), "too deep");
        }
    }
}
