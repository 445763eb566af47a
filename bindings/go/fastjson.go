package ductape

import (
	"encoding/json"
	"unicode/utf8"
)

// fastDecode decodes JSON text into what encoding/json's Decoder with UseNumber gives for an any
// (map[string]any, []any, string, json.Number, bool, nil), without its reflection and scanner
// state machine: about 3 to 4 times faster on the library's replies. It handles only the plain
// case the library writes (serde_json's compact, valid JSON) and answers ok=false for anything
// else (an escape in a string, invalid UTF-8, a malformed number or literal, text after the value,
// deep nesting, any other error); the caller then decodes the text with encoding/json, so every
// result and every error stays encoding/json's own.
func fastDecode(raw []byte) (v any, ok bool) {
	p := fastParser{raw: raw}
	p.space()
	v, ok = p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.pos == len(raw)
}

type fastParser struct {
	raw []byte
	pos int
}

const fastMaxDepth = 1000 // deeper text goes to encoding/json (whose own limit is 10,000)

func (p *fastParser) space() {
	for p.pos < len(p.raw) {
		switch p.raw[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *fastParser) value(depth int) (any, bool) {
	if p.pos >= len(p.raw) || depth > fastMaxDepth {
		return nil, false
	}
	switch c := p.raw[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.string()
		return s, ok
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, false
}

func (p *fastParser) literal(word string) bool {
	if len(p.raw)-p.pos < len(word) || string(p.raw[p.pos:p.pos+len(word)]) != word {
		return false
	}
	p.pos += len(word)
	return true
}

func (p *fastParser) object(depth int) (any, bool) {
	m := make(map[string]any)
	p.pos++ // {
	p.space()
	if p.pos < len(p.raw) && p.raw[p.pos] == '}' {
		p.pos++
		return m, true
	}
	for {
		p.space()
		if p.pos >= len(p.raw) || p.raw[p.pos] != '"' {
			return nil, false
		}
		key, ok := p.string()
		if !ok {
			return nil, false
		}
		p.space()
		if p.pos >= len(p.raw) || p.raw[p.pos] != ':' {
			return nil, false
		}
		p.pos++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[key] = v // a repeated key: the last one wins, as in encoding/json
		p.space()
		if p.pos >= len(p.raw) {
			return nil, false
		}
		switch p.raw[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *fastParser) array(depth int) (any, bool) {
	a := make([]any, 0) // [] is an empty slice, not nil, as in encoding/json
	p.pos++             // [
	p.space()
	if p.pos < len(p.raw) && p.raw[p.pos] == ']' {
		p.pos++
		return a, true
	}
	for {
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.space()
		if p.pos >= len(p.raw) {
			return nil, false
		}
		switch p.raw[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return a, true
		default:
			return nil, false
		}
	}
}

// string reads a string without escapes or control characters, in valid UTF-8 (which
// encoding/json answers byte for byte); anything else is left to encoding/json.
func (p *fastParser) string() (string, bool) {
	start := p.pos + 1
	ascii := true
	for i := start; i < len(p.raw); i++ {
		switch c := p.raw[i]; {
		case c == '"':
			s := p.raw[start:i]
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			p.pos = i + 1
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? as a json.Number of its text.
func (p *fastParser) number() (any, bool) {
	raw, i := p.raw, p.pos
	digits := func() bool {
		from := i
		for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
			i++
		}
		return i > from
	}
	if raw[i] == '-' {
		i++
	}
	if i < len(raw) && raw[i] == '0' {
		i++
	} else if !digits() {
		return nil, false
	}
	if i < len(raw) && raw[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	n := json.Number(raw[p.pos:i])
	p.pos = i
	return n, true
}
