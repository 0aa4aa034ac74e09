package yamldoc

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// PythonStr returns the text gto 0.2.4 makes of the plain scalar s where it
// expects a string: ruamel.yaml's safe loader builds a bool, an int or a
// float from it, and pydantic's str field takes str() of that number
// ("True" for true, "31" for 0x1F, "1.5" for 1.50, "1000.0" for 1e3). ok is
// false for the scalars that are not numbers or booleans (strings, null,
// timestamps), and for the few that ruamel itself fails to build ("0b").
func PythonStr(s string) (text string, ok bool) {
	switch Resolve(s) {
	case "bool":
		if s[0] == 't' || s[0] == 'T' {
			return "True", true
		}
		return "False", true
	case "int":
		return pythonInt(s)
	case "float":
		return pythonFloatText(s)
	}
	return "", false
}

// pythonInt is str() of ruamel's construct_yaml_int of s (YAML 1.2: "0b",
// "0o" and "0x" prefixes, "_" ignored, leading zeros decimal).
func pythonInt(s string) (string, bool) {
	t, neg := signless(strings.ReplaceAll(s, "_", ""))
	base := 10
	for prefix, b := range map[string]int{"0b": 2, "0o": 8, "0x": 16} {
		if strings.HasPrefix(t, prefix) {
			base, t = b, t[2:]
		}
	}
	v, ok := new(big.Int).SetString(t, base)
	if !ok || t == "" || t[0] == '+' || t[0] == '-' {
		return "", false
	}
	if neg {
		v.Neg(v)
	}
	return v.String(), true
}

// pythonFloatText is str() of ruamel's construct_yaml_float of s.
func pythonFloatText(s string) (string, bool) {
	t, neg := signless(strings.ToLower(strings.ReplaceAll(s, "_", "")))
	var f float64
	switch t {
	case ".inf":
		f = math.Inf(1)
	case ".nan":
		return "nan", true
	default:
		var err error
		f, err = strconv.ParseFloat(t, 64)
		if err != nil && !math.IsInf(f, 0) { // Python's float() overflows to inf
			return "", false
		}
	}
	if neg {
		f = -f
	}
	switch {
	case math.IsInf(f, 1):
		return "inf", true
	case math.IsInf(f, -1):
		return "-inf", true
	}
	return pythonFloat(f), true
}

// signless strips one leading sign from s and tells whether it was "-".
func signless(s string) (string, bool) {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		return s[1:], s[0] == '-'
	}
	return s, false
}
