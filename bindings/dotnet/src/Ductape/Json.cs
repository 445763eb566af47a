using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Ductape
{
    /// <summary>
    /// A small JSON reader and writer (netstandard2.0 has none, and a dependency would be one more
    /// thing for users to pin). Objects read as <c>Dictionary&lt;string, object&gt;</c>, arrays as
    /// <c>List&lt;object&gt;</c>, integers as <c>long</c> (or <c>decimal</c> beyond it), other numbers as
    /// <c>double</c>, and <c>null</c> as null. The writer takes those and any IDictionary with string keys,
    /// IEnumerable of KeyValuePair&lt;string, object&gt;, IEnumerable, string, bool, char and the numeric types.
    /// </summary>
    public static class Json
    {
        /// <summary>A one-entry object, for requests such as <c>{"tag": tag}</c>.</summary>
        public static Dictionary<string, object> Object(string key, object value)
        {
            return new Dictionary<string, object> { { key, value } };
        }

        public static string Write(object value)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value);
            return sb.ToString();
        }

        public static object Read(string text)
        {
            var reader = new Reader(text);
            reader.SkipSpace();
            object value = reader.ReadValue(0);
            reader.SkipSpace();
            if (!reader.AtEnd) throw reader.Fail("unexpected text after the value");
            return value;
        }

        static void WriteValue(StringBuilder sb, object value)
        {
            if (value == null) { sb.Append("null"); return; }
            var s = value as string;
            if (s != null) { WriteString(sb, s); return; }
            if (value is bool) { sb.Append((bool)value ? "true" : "false"); return; }
            if (value is char) { WriteString(sb, value.ToString()); return; }
            if (value is double) { WriteDouble(sb, (double)value); return; }
            if (value is float) { WriteDouble(sb, (float)value); return; }
            if (value is int || value is long || value is short || value is sbyte || value is byte
                || value is uint || value is ulong || value is ushort || value is decimal)
            {
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            }
            var dict = value as IDictionary;
            if (dict != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (DictionaryEntry entry in dict)
                {
                    var key = entry.Key as string;
                    if (key == null) throw new ArgumentException("JSON object keys must be strings, not " + entry.Key);
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, key);
                    sb.Append(':');
                    WriteValue(sb, entry.Value);
                }
                sb.Append('}');
                return;
            }
            // IDictionary<string, object> implementations that are not also IDictionary (ExpandoObject, say).
            var pairs = value as IEnumerable<KeyValuePair<string, object>>;
            if (pairs != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (var pair in pairs)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, pair.Key);
                    sb.Append(':');
                    WriteValue(sb, pair.Value);
                }
                sb.Append('}');
                return;
            }
            var list = value as IEnumerable;
            if (list != null)
            {
                sb.Append('[');
                bool first = true;
                foreach (var item in list)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteValue(sb, item);
                }
                sb.Append(']');
                return;
            }
            throw new ArgumentException("cannot write a " + value.GetType().Name + " as JSON");
        }

        static void WriteDouble(StringBuilder sb, double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d)) throw new ArgumentException("JSON has no NaN or infinity");
            sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
        }

        static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        sealed class Reader
        {
            const int MaxDepth = 512; // deeper input is refused rather than overflowing the stack
            readonly string text;
            int pos;

            public Reader(string text) { this.text = text; }

            public bool AtEnd { get { return pos >= text.Length; } }

            public FormatException Fail(string why)
            {
                return new FormatException("JSON: " + why + " at offset " + pos);
            }

            public void SkipSpace()
            {
                while (pos < text.Length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) pos++;
            }

            public object ReadValue(int depth)
            {
                if (depth > MaxDepth) throw Fail("nested too deeply");
                if (AtEnd) throw Fail("unexpected end");
                char c = text[pos];
                switch (c)
                {
                    case '{': return ReadObject(depth);
                    case '[': return ReadArray(depth);
                    case '"': return ReadString();
                    case 't': Expect("true"); return true;
                    case 'f': Expect("false"); return false;
                    case 'n': Expect("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                        throw Fail("unexpected '" + c + "'");
                }
            }

            void Expect(string word)
            {
                if (string.CompareOrdinal(text, pos, word, 0, word.Length) != 0) throw Fail("expected " + word);
                pos += word.Length;
            }

            Dictionary<string, object> ReadObject(int depth)
            {
                var result = new Dictionary<string, object>();
                pos++;
                SkipSpace();
                if (!AtEnd && text[pos] == '}') { pos++; return result; }
                while (true)
                {
                    SkipSpace();
                    if (AtEnd || text[pos] != '"') throw Fail("expected a key");
                    string key = ReadString();
                    SkipSpace();
                    if (AtEnd || text[pos] != ':') throw Fail("expected ':'");
                    pos++;
                    SkipSpace();
                    result[key] = ReadValue(depth + 1);
                    SkipSpace();
                    if (AtEnd) throw Fail("unexpected end in an object");
                    if (text[pos] == ',') { pos++; continue; }
                    if (text[pos] == '}') { pos++; return result; }
                    throw Fail("expected ',' or '}'");
                }
            }

            List<object> ReadArray(int depth)
            {
                var result = new List<object>();
                pos++;
                SkipSpace();
                if (!AtEnd && text[pos] == ']') { pos++; return result; }
                while (true)
                {
                    SkipSpace();
                    result.Add(ReadValue(depth + 1));
                    SkipSpace();
                    if (AtEnd) throw Fail("unexpected end in an array");
                    if (text[pos] == ',') { pos++; continue; }
                    if (text[pos] == ']') { pos++; return result; }
                    throw Fail("expected ',' or ']'");
                }
            }

            string ReadString()
            {
                pos++; // the opening quote
                // Most strings (every key, most values) have no escape: one Substring, no StringBuilder.
                for (int end = pos; end < text.Length; end++)
                {
                    char q = text[end];
                    if (q == '\\') break;
                    if (q == '"')
                    {
                        string plain = text.Substring(pos, end - pos);
                        pos = end + 1;
                        return plain;
                    }
                }
                var sb = new StringBuilder();
                while (true)
                {
                    if (AtEnd) throw Fail("unterminated string");
                    char c = text[pos++];
                    if (c == '"') return sb.ToString();
                    if (c != '\\') { sb.Append(c); continue; }
                    if (AtEnd) throw Fail("unterminated escape");
                    char e = text[pos++];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            if (pos + 4 > text.Length) throw Fail("short \\u escape");
                            // Surrogate pairs arrive as two escapes and are appended one unit at a time.
                            sb.Append((char)int.Parse(text.Substring(pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            pos += 4;
                            break;
                        default: throw Fail("bad escape \\" + e);
                    }
                }
            }

            object ReadNumber()
            {
                int start = pos;
                if (text[pos] == '-') pos++;
                bool integral = true;
                while (pos < text.Length)
                {
                    char c = text[pos];
                    if (c >= '0' && c <= '9') { pos++; continue; }
                    if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { integral = false; pos++; continue; }
                    break;
                }
                // Up to 18 digits fit a long whatever they are: read them here, without a Substring.
                int digits = pos - start - (text[start] == '-' ? 1 : 0);
                if (integral && digits > 0 && digits <= 18)
                {
                    long v = 0;
                    for (int i = pos - digits; i < pos; i++) v = v * 10 + (text[i] - '0');
                    return text[start] == '-' ? -v : v;
                }
                string s = text.Substring(start, pos - start);
                if (integral)
                {
                    long l;
                    if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) return l;
                    decimal m;
                    if (decimal.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out m)) return m;
                }
                double d;
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return d;
                throw Fail("bad number " + s);
            }
        }
    }
}
