// Package ruamelcorpus is test data: what gto's YAML writer wrote for 703
// states, against which the tests of yamldoc (the writer) and annotations
// (Marshal, and Parse reading the bytes back) check their output byte for
// byte. Only tests import it.
//
// corpus.json was produced with ruamel.yaml 0.18.6 (pure Python) configured
// as gto 0.2.4 configures it:
//
//	yaml = YAML(typ="safe", pure=True)
//	yaml.default_flow_style = False
//	yaml.dump(state, stream)
//
// The cases cover realistic indexes, every custom value type, strings that
// YAML 1.2 resolves to another type, indicators, line breaks, control and
// non-ASCII characters, long text that folds at 80 columns at every nesting
// level, and random strings. The generator is not part of the repository.
package ruamelcorpus

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

//go:embed corpus.json
var corpusJSON []byte

// Case is one recorded dump.
type Case struct {
	Name string `json:"name"`
	// Input is the state dict gto dumped, as JSON: artifact name -> its
	// non-default fields (type, path, virtual, labels, description,
	// custom).
	Input json.RawMessage `json:"input"`
	// State is Input decoded into the Go values that stand for gto's Python
	// values: a JSON object {"!!binary": "<base64>"} stands for a bytes
	// value, which in Go is a string that is not UTF-8; a number without a
	// point or exponent is an int (a uint64 above the int range), one with
	// either a float64; objects are map[string]any and arrays []any.
	State map[string]any `json:"-"`
	// Want is the exact text ruamel wrote.
	Want string `json:"want"`
	// Lossy marks the cases where ruamel's own load of Want differs from
	// the input (see yamldoc.Emit for why).
	Lossy bool `json:"lossy"`
	// Unreadable marks those where ruamel's load of Want fails: a plain key
	// with a word longer than the line, which yamldoc.Emit deliberately
	// writes otherwise.
	Unreadable bool `json:"unreadable"`
}

// Load returns the cases of the corpus in their recorded order, with State
// decoded; a corpus that does not decode fails tb.
func Load(tb testing.TB) []Case {
	tb.Helper()
	var cases []Case
	if err := json.Unmarshal(corpusJSON, &cases); err != nil {
		tb.Fatalf("corpus.json: %v", err)
	}
	for i, c := range cases {
		dec := json.NewDecoder(bytes.NewReader(c.Input))
		dec.UseNumber()
		var raw any
		err := dec.Decode(&raw)
		if err == nil {
			raw, err = value(raw)
		}
		state, ok := raw.(map[string]any)
		if err != nil || !ok {
			tb.Fatalf("corpus.json: %s: bad input (%v): %s", c.Name, err, c.Input)
		}
		cases[i].State = state
	}
	return cases
}

// value converts a decoded JSON value in place; see Case.State.
func value(v any) (_ any, err error) {
	switch v := v.(type) {
	case json.Number:
		s := v.String()
		if strings.ContainsAny(s, ".eE") {
			return strconv.ParseFloat(s, 64)
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return int(i), nil
		}
		return strconv.ParseUint(s, 10, 64)
	case map[string]any:
		if b, ok := v["!!binary"]; ok && len(v) == 1 {
			data, err := base64.StdEncoding.DecodeString(b.(string))
			return string(data), err
		}
		for k, item := range v {
			if v[k], err = value(item); err != nil {
				return nil, err
			}
		}
	case []any:
		for i, item := range v {
			if v[i], err = value(item); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}
