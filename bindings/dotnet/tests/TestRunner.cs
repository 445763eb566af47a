using System;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace Ductape.Tests
{
    /// <summary>Marks a test: a public static void method without parameters.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TestAttribute : Attribute { }

    public static class Assert
    {
        public static void True(bool condition, string what)
        {
            if (!condition) throw new Exception("assertion failed: " + what);
        }

        public static void Equal(object expected, object actual, string what)
        {
            if (!Equals(expected, actual)) throw new Exception(what + ": expected <" + expected + ">, got <" + actual + ">");
        }

        public static T Throws<T>(Action action, string what) where T : Exception
        {
            try { action(); }
            catch (AggregateException e) when (e.InnerException is T) { return (T)e.InnerException; }
            catch (T e) { return e; }
            catch (Exception e) { throw new Exception(what + ": expected " + typeof(T).Name + ", got " + e.GetType().Name + ": " + e.Message); }
            throw new Exception(what + ": expected " + typeof(T).Name + ", nothing was thrown");
        }
    }

    /// <summary>
    /// A runner of its own (no NUnit on the path to test a netstandard library with mcs): runs every [Test]
    /// of this assembly, each under a time limit, then the conformance vectors, and prints
    /// "N passed, N failed" alone on its last line. Exit status 1 on any failure.
    ///   mono Ductape.Tests.exe VECTORS_DIR [name-filter]
    /// </summary>
    public static class TestRunner
    {
        public static int Main(string[] args)
        {
            string vectors = args.Length > 0 ? args[0] : "tests/conformance/vectors";
            string filter = args.Length > 1 ? args[1] : null;
            int passed = 0, failed = 0;
            var tests = typeof(TestRunner).Assembly.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
                .Where(m => m.GetCustomAttributes(typeof(TestAttribute), false).Length > 0)
                .Where(m => filter == null || m.Name.Contains(filter))
                .OrderBy(m => m.DeclaringType.Name + "." + m.Name);
            foreach (var test in tests)
            {
                string name = test.DeclaringType.Name + "." + test.Name;
                var watch = Stopwatch.StartNew();
                Exception failure = null;
                var thread = new Thread(() =>
                {
                    try { test.Invoke(null, null); }
                    catch (TargetInvocationException e) { failure = e.InnerException; }
                    catch (Exception e) { failure = e; }
                });
                thread.IsBackground = true;
                thread.Start();
                if (!thread.Join(TimeSpan.FromSeconds(60))) failure = new TimeoutException("did not finish in 60 s");
                if (failure == null) { passed++; Console.WriteLine("PASS " + name + " (" + watch.ElapsedMilliseconds + " ms)"); }
                else { failed++; Console.WriteLine("FAIL " + name + ": " + failure); }
            }
            if (filter == null || "Conformance".Contains(filter))
            {
                var conformance = Conformance.RunAll(vectors);
                passed += conformance.Item1;
                failed += conformance.Item2;
            }
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }
    }
}
