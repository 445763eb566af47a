using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;

namespace Ductape.Tests
{
    /// <summary>
    /// The .NET conformance runner: every vector in tests/conformance/vectors through
    /// DuctapeClient.CallAsync (exceptions included), the vectors every other runner runs. Writes
    /// $DUCTAPE_CONFORMANCE_REPORT_DIR/dotnet.jsonl for tests/conformance/tools/agree.py. Without
    /// DUCTAPE_SIM_URL, vectors that require the simulator are skipped (with CI set they fail).
    /// </summary>
    public static class Conformance
    {
        static readonly object Missing = new object();

        static string Sim { get { var s = Environment.GetEnvironmentVariable("DUCTAPE_SIM_URL"); return string.IsNullOrEmpty(s) ? null : s; } }

        public static Tuple<int, int> RunAll(string vectorsDir)
        {
            int passed = 0, failed = 0, skipped = 0;
            var lines = new List<string>();
            string root = Path.Combine(Path.GetTempPath(), "ductape-conformance-dotnet-" + Guid.NewGuid().ToString("N"));
            string ci = Environment.GetEnvironmentVariable("CI");
            bool inCi = !string.IsNullOrEmpty(ci) && ci != "false";
            int n = 0;
            foreach (var path in Directory.GetFiles(vectorsDir, "*.json").OrderBy(p => p, StringComparer.Ordinal))
            {
                var doc = (IDictionary<string, object>)Json.Read(File.ReadAllText(path, Encoding.UTF8));
                string stem = Path.GetFileNameWithoutExtension(path);
                foreach (IDictionary<string, object> vector in (List<object>)doc["vectors"])
                {
                    string name = stem + "/" + vector["name"];
                    object requires;
                    bool needsSim = vector.TryGetValue("requires", out requires) && ((List<object>)requires).Contains("sim");
                    if (needsSim && Sim == null)
                    {
                        if (inCi) { failed++; Console.WriteLine("FAIL " + name + ": needs the simulator and CI is set"); }
                        else skipped++;
                        lines.Add(Json.Write(new Dictionary<string, object> { ["vector"] = name, ["outcome"] = "SKIP" }));
                        continue;
                    }
                    string workdir = Path.Combine(root, (n++).ToString());
                    Directory.CreateDirectory(workdir);
                    var report = new List<Dictionary<string, object>>();
                    string outcome = "PASS";
                    try { RunVector(vector, workdir, report); passed++; }
                    catch (Exception e) { outcome = "FAIL"; failed++; Console.WriteLine("FAIL " + name + ": " + e.Message); }
                    foreach (var line in report) { line["vector"] = name; lines.Add(Json.Write(line)); }
                    lines.Add(Json.Write(new Dictionary<string, object> { ["vector"] = name, ["outcome"] = outcome, ["workdir"] = workdir }));
                }
            }
            string dir = Environment.GetEnvironmentVariable("DUCTAPE_CONFORMANCE_REPORT_DIR");
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "dotnet.jsonl"), string.Join("\n", lines) + "\n", new UTF8Encoding(false));
            }
            Console.WriteLine("conformance (dotnet): " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
            return Tuple.Create(passed, failed);
        }

        static void RunVector(IDictionary<string, object> vector, string workdir, List<Dictionary<string, object>> seen)
        {
            string sim = Sim;
            if (sim != null) SimRequest(sim, "POST", "/__sim/reset", null);
            var options = new Dictionary<string, object>
            {
                ["workspace_dir"] = workdir,
                ["atlas_base_url"] = sim ?? "http://127.0.0.1:9",
                ["debug_operations"] = true,
            };
            object extra;
            if (vector.TryGetValue("options", out extra) && extra != null)
                foreach (var kv in (IDictionary<string, object>)extra) options[kv.Key] = kv.Value;
            object openError;
            if (vector.TryGetValue("open_error", out openError))
            {
                try { new DuctapeClient(options).Dispose(); }
                catch (DuctapeException e)
                {
                    seen.Add(new Dictionary<string, object> { ["step"] = "open", ["seen"] = SeenError(e) });
                    CheckError(e, (IDictionary<string, object>)openError, "open");
                    return;
                }
                throw new Exception("open: expected error " + Json.Write(openError) + ", got a client");
            }
            using (var client = new DuctapeClient(options))
            using (var cts = new CancellationTokenSource())
            {
                var steps = (List<object>)vector["steps"];
                for (int i = 0; i < steps.Count; i++)
                {
                    var step = (IDictionary<string, object>)steps[i];
                    object control;
                    if (step.TryGetValue("sim", out control))
                    {
                        if (sim == null) throw new Exception("step " + i + ": a sim step needs the simulator");
                        var c = (IDictionary<string, object>)control;
                        object body;
                        c.TryGetValue("body", out body);
                        int status = SimRequest(sim, (string)c["method"], (string)c["path"], body);
                        seen.Add(new Dictionary<string, object> { ["step"] = (long)i, ["sim"] = (long)status });
                        continue;
                    }
                    string op = (string)step["op"];
                    var expect = (IDictionary<string, object>)step["expect"];
                    object okValue;
                    bool wantOk = !expect.TryGetValue("ok", out okValue) || true.Equals(okValue);
                    object raw, parameters;
                    step.TryGetValue("params", out parameters);
                    string request = step.TryGetValue("params_raw", out raw) ? (string)raw : Json.Write(parameters);
                    object result;
                    try
                    {
                        // The async path with a cancellable token: ductape_call_cancellable inside Task.Run.
                        string envelope = System.Threading.Tasks.Task.Run(() => client.CallJson(op, request, null, cts.Token)).Result;
                        result = DuctapeClient.Decode(envelope);
                    }
                    catch (DuctapeException e)
                    {
                        seen.Add(new Dictionary<string, object> { ["step"] = (long)i, ["seen"] = SeenError(e) });
                        if (wantOk) throw new Exception("step " + i + " (" + op + "): expected ok, got " + e.GetType().Name + " " + e.Message);
                        CheckError(e, (IDictionary<string, object>)expect["error"], "step " + i + " (" + op + ")");
                        continue;
                    }
                    seen.Add(new Dictionary<string, object> { ["step"] = (long)i, ["seen"] = new Dictionary<string, object> { ["ok"] = true, ["result"] = result } });
                    if (!wantOk) throw new Exception("step " + i + " (" + op + "): expected error " + Json.Write(expect["error"]) + ", got ok " + Json.Write(result));
                    object want;
                    if (expect.TryGetValue("result", out want))
                    {
                        string problem = Match(want, result, "result");
                        if (problem != null) throw new Exception("step " + i + " (" + op + "): " + problem);
                    }
                }
            }
        }

        static Dictionary<string, object> SeenError(DuctapeException e)
        {
            return new Dictionary<string, object>
            {
                ["ok"] = false,
                ["error"] = new Dictionary<string, object> { ["code"] = e.Code, ["field"] = e.Field, ["message"] = e.CoreMessage, ["details"] = e.Details },
            };
        }

        static void CheckError(DuctapeException e, IDictionary<string, object> want, string where)
        {
            if (e.Code != (string)want["code"]) throw new Exception(where + ": expected error code " + want["code"] + ", got " + e.Code + ": " + e.CoreMessage);
            if (e.GetType() != Errors.ClassOf(e.Code)) throw new Exception(where + ": wrong exception class " + e.GetType().Name);
            object field;
            if (want.TryGetValue("field", out field) && (string)field != e.Field)
                throw new Exception(where + ": expected error field " + (field ?? "null") + ", got " + (e.Field ?? "null") + ": " + e.CoreMessage);
            object contains;
            if (want.TryGetValue("message_contains", out contains) && !e.CoreMessage.Contains((string)contains))
                throw new Exception(where + ": expected message containing '" + contains + "', got '" + e.CoreMessage + "'");
        }

        static bool IsNumber(object o)
        {
            return o is long || o is double || o is decimal;
        }

        /// <summary>The subset match of tests/conformance/README.md, identical in every runner; null when it matches.</summary>
        static string Match(object expected, object actual, string path)
        {
            if ("$absent".Equals(expected)) return actual == Missing ? null : path + ": expected absent, got " + Json.Write(actual);
            if (actual == Missing) return path + ": missing";
            if ("$any".Equals(expected)) return null;
            var eo = expected as IDictionary<string, object>;
            if (eo != null)
            {
                var ao = actual as IDictionary<string, object>;
                if (ao == null) return path + ": expected an object, got " + Json.Write(actual);
                foreach (var kv in eo)
                {
                    object a;
                    string problem = Match(kv.Value, ao.TryGetValue(kv.Key, out a) ? a : Missing, path + "." + kv.Key);
                    if (problem != null) return problem;
                }
                return null;
            }
            var el = expected as List<object>;
            if (el != null)
            {
                var al = actual as List<object>;
                if (al == null || al.Count != el.Count) return path + ": expected " + el.Count + " elements, got " + Json.Write(actual);
                for (int i = 0; i < el.Count; i++)
                {
                    string problem = Match(el[i], al[i], path + "[" + i + "]");
                    if (problem != null) return problem;
                }
                return null;
            }
            if (IsNumber(expected) && IsNumber(actual))
                return Convert.ToDecimal(expected) == Convert.ToDecimal(actual) ? null : path + ": expected " + expected + ", got " + actual;
            return Equals(expected, actual) ? null : path + ": expected " + Json.Write(expected) + ", got " + Json.Write(actual);
        }

        static int SimRequest(string sim, string method, string path, object body)
        {
            var req = (HttpWebRequest)WebRequest.Create(sim.TrimEnd('/') + path);
            req.Method = method;
            req.ContentType = "application/json";
            req.Timeout = 10000;
            req.Proxy = null;
            byte[] data = body == null ? new byte[0] : Encoding.UTF8.GetBytes(Json.Write(body));
            if (method != "GET")
            {
                req.ContentLength = data.Length;
                using (var s = req.GetRequestStream()) s.Write(data, 0, data.Length);
            }
            using (var resp = (HttpWebResponse)req.GetResponse())
            {
                int status = (int)resp.StatusCode;
                if (status / 100 != 2) throw new Exception(method + " " + path + " failed: " + status);
                return status;
            }
        }
    }
}
