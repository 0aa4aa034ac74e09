package yamldoc

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// YAML 1.2 implicit resolvers of ruamel.yaml, by the first character they
// apply to, in ruamel's order. Python's "$" also matches before a final
// newline, which Resolve emulates. The patterns are compiled on the first
// Resolve, not when the package is initialised: most gto commands never
// emit YAML, and every one of them would pay for the compilation at start.
type implicitResolver struct {
	tag     string
	first   string // the first characters it applies to; "" also the empty string
	pattern string
}

var implicitResolvers = []implicitResolver{
	{"bool", "tTfF", `^(?:true|True|TRUE|false|False|FALSE)$`},
	{"float", "-+0123456789.", `^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`},
	{"int", "-+0123456789", `^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$`},
	{"merge", "<", `^(?:<<)$`},
	{"null", "~nN", `^(?:~|null|Null|NULL|)$`},
	{"timestamp", "0123456789", `^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`},
	{"value", "=", `^(?:=)$`},
	{"yaml", "!&*", `^(?:!|&|\*)$`},
}

// resolverRegexps are implicitResolvers' patterns, compiled, in their order.
var resolverRegexps = sync.OnceValue(func() []*regexp.Regexp {
	res := make([]*regexp.Regexp, len(implicitResolvers))
	for i, r := range implicitResolvers {
		res[i] = regexp.MustCompile(r.pattern)
	}
	return res
})

// Resolve returns the tag, without its "!!" ("str", "bool", "int", "float",
// "null", "timestamp", "merge", "value" or "yaml"), that a plain scalar with
// the text s has for ruamel.yaml under YAML 1.2: "str" unless an implicit
// resolver matches. Emit writes a string plain only when it resolves to
// "str"; a reader that gives a plain scalar the same tag reads what gto
// reads, where yaml.v3 (closer to YAML 1.1) takes ".5e3" or "0X1F" for
// numbers.
func Resolve(s string) string {
	first, _ := utf8.DecodeRuneInString(s)
	res := resolverRegexps()
	for i, r := range implicitResolvers {
		if s == "" {
			if r.tag != "null" {
				continue
			}
		} else if !strings.ContainsRune(r.first, first) {
			continue
		}
		if re := res[i]; re.MatchString(s) || (strings.HasSuffix(s, "\n") && re.MatchString(s[:len(s)-1])) {
			return r.tag
		}
	}
	return "str"
}
