package ductape

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// stdDecode is the decoding fastDecode stands in for: encoding/json's Decoder with UseNumber.
func stdDecode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

var fastCases = []string{
	`{"ok":true,"result":{"tag":"c0500","status":"completed","n":12,"f":-1.5e-3,"a":[],"o":{},"z":null}}`,
	`{"ok":false,"error":{"code":"not_found","message":"gone","field":"tag"}}`,
	`{"ok":true,"result":[1,"é",null,true,false,[[{}]]],"warnings":[{"code":"w","message":"m"}]}`,
	` { "a" : [ 1 , 2 ] , "a" : 3 } `, `"x"`, `0`, `-0`, `123456789012345678901234567890`, `1E+2`, `[]`, `{}`,
	`"日本語 ✓ 😀"`, `{"k":"v"}` + "\n",
	// Each of these goes to encoding/json (fastDecode refuses it), which answers what it answers.
	`{"s":"a\"b\\c\/d\u00e9\ud83d\ude00\n"}`, "\"\xff\xfe\"", "\"a\x01\"", `01`, `1.`, `.5`, `-`, `1e`, `+1`,
	`{"a":1,}`, `[1,]`, `[1 2]`, `{"a" 1}`, `{1:2}`, `nul`, `tru`, `{"ok":true} xyz`, `{"a":`, `[`, `"abc`,
	` `, `{"a":1}}`, `NaN`, strings.Repeat("[", 1200) + strings.Repeat("]", 1200),
}

func TestFastDecodeAnswersWhatEncodingJSONAnswers(t *testing.T) {
	for _, text := range fastCases {
		want, werr := stdDecode([]byte(text))
		got, ok := fastDecode([]byte(text))
		if ok && (werr != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("%q: fastDecode %#v, encoding/json %#v %v", text, got, want, werr)
		}
		// decodeValue (the fast path, else encoding/json) keeps encoding/json's result and error.
		v, err := decodeValue([]byte(text))
		if (err == nil) != (werr == nil) || (err == nil && !reflect.DeepEqual(v, want)) {
			t.Errorf("%q: decodeValue %#v %v, encoding/json %#v %v", text, v, err, want, werr)
		}
	}
	for _, text := range fastCases[:13] { // the plain ones take the fast path
		if _, ok := fastDecode([]byte(text)); !ok {
			t.Errorf("%q: not decoded by fastDecode", text)
		}
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, text := range fastCases {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, ok := fastDecode(raw); ok {
			want, err := stdDecode(raw)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: fastDecode %#v, encoding/json %#v %v", raw, got, want, err)
			}
		}
	})
}
