// Package jsonout defines the JSON documents gto prints with --json (and the
// server returns under /api/v1/): the same keys, nesting and key order as gto
// 0.2.4, with timestamps in ISO 8601 carrying the tag's own UTC offset.
// These shapes are a documented interface for scripts and CI; the registry's
// Go types can change without changing them.
package jsonout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf8"
)

// TimeLayout is the timestamp format: ISO 8601 with the offset, e.g.
// 2022-01-01T01:00:00+00:00 (Python's isoformat of an aware datetime).
const TimeLayout = "2006-01-02T15:04:05-07:00"

// Time formats a timestamp, keeping its zone; the zero time gives null.
func Time(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(TimeLayout)
	return &s
}

// Encode writes v as JSON the way gto 0.2.4 does (Python's json.dumps with
// indent=4): four-space indentation and non-ASCII characters escaped, so
// output is byte-safe in any terminal or CI log; then a newline.
func Encode(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(asciiEscape(buf.Bytes()))
	return err
}

// asciiEscape replaces every non-ASCII character of a JSON text by its
// \uXXXX escape (a surrogate pair above U+FFFF). Outside strings a JSON text
// is ASCII, so this only touches string contents.
func asciiEscape(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == 0x7f {
			out = append(out, `\u007f`...) // Python escapes DEL too
		} else if r < utf8.RuneSelf {
			out = append(out, b[0])
		} else if r > 0xFFFF {
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		b = b[size:]
	}
	return out
}

// Object is a JSON object that keeps its keys in insertion order.
type Object struct {
	keys   []string
	values map[string]any
}

// Set adds or replaces a key (a new key goes last).
func (o *Object) Set(key string, value any) {
	if o.values == nil {
		o.values = map[string]any{}
	}
	if _, ok := o.values[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.values[key] = value
}

// MarshalJSON encodes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := marshalNoHTML(o.values[k])
		if err != nil {
			return nil, err
		}
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func marshalNoHTML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
