package policy

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc"
	"github.com/gto-dev/gto/tagname"
)

// DefaultFile is the name of the policy file at the root of the repository
// (the environment variable GTO_POLICY names another).
const DefaultFile = "gto-policy.yaml"

// MaxFileSize is the largest policy file Parse is given; a real one is a
// few hundred bytes.
const MaxFileSize = 1 << 20

// CheckSize returns the error for a policy file of size bytes over
// MaxFileSize, nil when it is not, so that a caller can refuse a file
// without reading it.
func CheckSize(file string, size int64) error {
	if size > MaxFileSize {
		return fmt.Errorf("%s is too large for a policy file (over %d KiB)", file, MaxFileSize>>10)
	}
	return nil
}

// The keys of a stage's rules, in the order messages list them.
var ruleKeys = []string{"after", "signed", "signers", "taggers", "prerelease"}

// Policy is a parsed policy file. The zero value has no rules.
type Policy struct {
	// File is the file's name and Ref the revision it was read at, for
	// messages; Parse sets File, the caller Ref.
	File, Ref string

	stages    map[string]*block
	overrides []override
}

// block is the rules of one stage as the file writes them: a field the
// block does not set is nil (an override then keeps the field it
// overrides).
type block struct {
	line       int
	after      []string
	signed     *bool
	signers    []string
	taggers    []string
	prerelease *bool
	// The lines of the keys, for messages; 0 when absent.
	afterLine, signedLine, signersLine int
}

// override is one entry of artifacts: the rules of the artifacts whose
// names the glob matches.
type override struct {
	pattern string
	line    int
	stages  map[string]*block
}

// Parse reads a policy file: data is its content and file its name in
// messages. stages are the stages the configuration allows (nil: any).
// The file is validated strictly; every error is one sentence that starts
// with the file's name and the line: YAML that does not parse, an unknown
// key, a value of the wrong type, a stage the configuration does not
// allow, a glob that is not one, a rule that no version could ever meet.
// An empty file is a policy without rules.
func Parse(data []byte, file string, stages []string) (*Policy, error) {
	if err := CheckSize(file, int64(len(data))); err != nil {
		return nil, err
	}
	p := &Policy{File: file, stages: map[string]*block{}}
	root, err := yamldoc.Load(data, file)
	if err != nil || root == nil {
		return p, err
	}
	ps := &parser{file: file, allowed: stages}
	err = ps.mapping(root, "the policy", []string{"stages", "artifacts"}, func(key string, _, v *yaml.Node) error {
		var err error
		if key == "stages" {
			p.stages, err = ps.stages(v, "")
		} else {
			p.overrides, err = ps.overrides(v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := p.checkReachable(); err != nil {
		return nil, err
	}
	return p, nil
}

// parser holds what every part of Parse needs.
type parser struct {
	file    string
	allowed []string
}

func (ps *parser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s: line %d: %s", ps.file, n.Line, fmt.Sprintf(format, args...))
}

// mapping calls fn for each key of n, a mapping (or null: no keys), in
// order. keys are the keys allowed (nil: any); what names the mapping in
// messages ("the rules of stage \"prod\"").
func (ps *parser) mapping(n *yaml.Node, what string, keys []string, fn func(key string, k, v *yaml.Node) error) error {
	if yamldoc.IsNull(n) {
		return nil
	}
	if err := ps.noAlias(n); err != nil {
		return err
	}
	if n.Kind != yaml.MappingNode {
		return ps.errorf(n, "%s must be a mapping, got %s", what, yamldoc.Describe(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := ps.noAlias(k); err != nil {
			return err
		}
		if k.Kind != yaml.ScalarNode || yamldoc.IsNull(k) {
			return ps.errorf(k, "the keys of %s must be names, got %s", what, yamldoc.Describe(k))
		}
		if seen[k.Value] {
			return ps.errorf(k, "%s sets %s twice", what, yamldoc.Quote(k.Value))
		}
		seen[k.Value] = true
		if keys != nil && !slices.Contains(keys, k.Value) {
			return ps.errorf(k, "unknown key %s in %s (the keys are %s)", yamldoc.Quote(k.Value), what, strings.Join(keys, ", "))
		}
		if err := ps.noAlias(v); err != nil {
			return err
		}
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

// noAlias refuses YAML aliases: a policy is short, and an alias would let
// a hostile file expand.
func (ps *parser) noAlias(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		return ps.errorf(n, "aliases (*%s) are not allowed in a policy", n.Value)
	}
	return nil
}

// stage validates a stage name at node n: a valid name that the
// configuration allows.
func (ps *parser) stage(n *yaml.Node, name string) error {
	if err := tagname.ValidateName("stage", name); err != nil {
		return ps.errorf(n, "%v", err)
	}
	if ps.allowed != nil && !slices.Contains(ps.allowed, name) {
		allowed := "none"
		if len(ps.allowed) > 0 {
			allowed = strings.Join(ps.allowed, ", ")
		}
		return ps.errorf(n, "stage %q is not allowed by the configuration (allowed stages: %s)", name, allowed)
	}
	return nil
}

// stages reads a mapping of stage names to rules; in names the override
// they belong to in messages ("" for the top level).
func (ps *parser) stages(n *yaml.Node, in string) (map[string]*block, error) {
	out := map[string]*block{}
	what := "stages"
	if in != "" {
		what = "the stages of " + in
	}
	err := ps.mapping(n, what, nil, func(name string, k, v *yaml.Node) error {
		if err := ps.stage(k, name); err != nil {
			return err
		}
		b, err := ps.block(v, name, k.Line)
		if err == nil && in == "" && len(b.signers) > 0 && (b.signed == nil || !*b.signed) {
			err = fmt.Errorf("%s: line %d: stage %q lists signers without signed: true: signers apply to signed tags only", ps.file, b.signersLine, name)
		}
		out[name] = b
		return err
	})
	return out, err
}

// block reads the rules of stage.
func (ps *parser) block(n *yaml.Node, stage string, line int) (*block, error) {
	b := &block{line: line}
	what := fmt.Sprintf("the rules of stage %q", stage)
	err := ps.mapping(n, what, ruleKeys, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "after":
			b.afterLine = k.Line
			b.after, err = ps.list(v, key, func(item *yaml.Node) error {
				if err := ps.stage(item, item.Value); err != nil {
					return err
				}
				if item.Value == stage {
					return ps.errorf(item, "stage %q cannot require a version that was in %q itself: no version could enter it", stage, stage)
				}
				return nil
			})
		case "signed":
			b.signedLine = k.Line
			b.signed, err = ps.boolean(v, key)
		case "signers":
			b.signersLine = k.Line
			b.signers, err = ps.list(v, key, func(item *yaml.Node) error {
				if strings.ContainsFunc(item.Value, unicode.IsSpace) || strings.ContainsFunc(item.Value, unicode.IsControl) {
					return ps.errorf(item, "signer %s holds a blank or a control character: no principal, fingerprint or e-mail does", yamldoc.Quote(item.Value))
				}
				return nil
			})
		case "taggers":
			b.taggers, err = ps.list(v, key, func(item *yaml.Node) error {
				if _, err := path.Match(item.Value, ""); err != nil {
					return ps.errorf(item, "tagger %s is not a valid glob", yamldoc.Quote(item.Value))
				}
				return nil
			})
		case "prerelease":
			b.prerelease, err = ps.boolean(v, key)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(b.signers) > 0 && b.signed != nil && !*b.signed {
		return nil, fmt.Errorf("%s: line %d: stage %q lists signers but says signed: false: signers apply to signed tags only", ps.file, b.signersLine, stage)
	}
	if len(b.after) > 1 {
		b.after = slices.Compact(slices.Sorted(slices.Values(b.after)))
	}
	return b, nil
}

// list reads a list of non-empty scalars for key (an empty list is not
// nil), checking each item with check.
func (ps *parser) list(n *yaml.Node, key string, check func(item *yaml.Node) error) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, ps.errorf(n, "%q must be a list, got %s", key, yamldoc.Describe(n))
	}
	out := []string{}
	for _, item := range n.Content {
		if err := ps.noAlias(item); err != nil {
			return nil, err
		}
		if item.Kind != yaml.ScalarNode || yamldoc.IsNull(item) || item.Value == "" {
			return nil, ps.errorf(item, "%q must be a list of names, got %s in it", key, yamldoc.Describe(item))
		}
		if err := check(item); err != nil {
			return nil, err
		}
		out = append(out, item.Value)
	}
	return out, nil
}

// boolean reads true or false for key.
func (ps *parser) boolean(n *yaml.Node, key string) (*bool, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return nil, ps.errorf(n, "%q must be true or false, got %s", key, yamldoc.Describe(n))
	}
	v := n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
	return &v, nil
}

// overrides reads the artifacts mapping: glob -> {stages: ...}.
func (ps *parser) overrides(n *yaml.Node) ([]override, error) {
	var out []override
	err := ps.mapping(n, "artifacts", nil, func(pattern string, k, v *yaml.Node) error {
		if pattern == "" {
			return ps.errorf(k, "an artifact glob cannot be empty")
		}
		if _, err := path.Match(pattern, ""); err != nil {
			return ps.errorf(k, "artifact glob %s is not a valid glob", yamldoc.Quote(pattern))
		}
		o := override{pattern: pattern, line: k.Line, stages: map[string]*block{}}
		what := fmt.Sprintf("the rules of artifacts %q", pattern)
		err := ps.mapping(v, what, []string{"stages"}, func(_ string, _, sv *yaml.Node) error {
			var err error
			o.stages, err = ps.stages(sv, fmt.Sprintf("artifacts %q", pattern))
			return err
		})
		out = append(out, o)
		return err
	})
	return out, err
}

// checkReachable refuses stages that require each other (prod after
// staging, staging after prod): no version could ever enter one of them.
// The top-level rules are checked, and the rules of each override merged
// into them.
func (p *Policy) checkReachable() error {
	if err := p.cycle(nil); err != nil {
		return err
	}
	for i := range p.overrides {
		if err := p.cycle(&p.overrides[i]); err != nil {
			return err
		}
	}
	return nil
}

// cycle finds a cycle of after rules in the top-level rules with o's
// merged into them (o nil: the top-level rules alone).
func (p *Policy) cycle(o *override) error {
	after := map[string][]string{}
	lines := map[string]int{}
	for name, b := range p.stages {
		if b.after != nil {
			after[name], lines[name] = b.after, b.afterLine
		}
	}
	if o != nil {
		for name, b := range o.stages {
			if b.after != nil {
				after[name], lines[name] = b.after, b.afterLine
			}
		}
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(s string) []string
	visit = func(s string) []string {
		switch state[s] {
		case visiting:
			i := slices.Index(path, s)
			return append(slices.Clone(path[i:]), s)
		case done:
			return nil
		}
		state[s] = visiting
		path = append(path, s)
		for _, next := range after[s] {
			if c := visit(next); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		state[s] = done
		return nil
	}
	for _, s := range slices.Sorted(maps.Keys(after)) {
		if c := visit(s); c != nil {
			in := ""
			if o != nil {
				in = fmt.Sprintf(" for artifacts %q", o.pattern)
			}
			return fmt.Errorf("%s: line %d: stages %s require each other%s: no version could ever enter them", p.File, lines[c[0]], strings.Join(c, " -> "), in)
		}
	}
	return nil
}
