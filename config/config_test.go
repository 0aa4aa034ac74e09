package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gto-dev/gto/tagname"
)

// env returns a lookup function over vars.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// load writes content (unless nil) to dir/.gto and loads the configuration.
func load(t *testing.T, content *string, vars map[string]string) (Config, error) {
	t.Helper()
	dir := t.TempDir()
	if content != nil {
		if err := os.WriteFile(filepath.Join(dir, ".gto"), []byte(*content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Load(dir, env(vars))
}

func ptr(s string) *string { return &s }

func assertErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	if c.Types != nil || c.Stages != nil || !c.Emojis || c.LogLevel != "INFO" || c.Index != "artifacts.yaml" || c.File != "" {
		t.Errorf("Default() = %+v", c)
	}
	if c.StagesConfigured() {
		t.Error("Default().StagesConfigured() = true")
	}
}

func TestLoadFile(t *testing.T) {
	tests := []struct {
		name    string
		content *string
		want    Config
	}{
		{"no file", nil, Default()},
		{"empty file", ptr(""), Default()},
		{"only comments", ptr("# nothing\n"), Default()},
		{"null document", ptr("null\n"), Default()},
		{"conformance allowed types and stages", ptr("types: [model, dataset]\nstages: [dev, prod]\n"),
			Config{Types: []string{"model", "dataset"}, Stages: []string{"dev", "prod"}, Emojis: true, LogLevel: "INFO", Index: "artifacts.yaml"}},
		{"conformance prohibit everything", ptr("types: []\nstages: []\n"),
			Config{Types: []string{}, Stages: []string{}, Emojis: true, LogLevel: "INFO", Index: "artifacts.yaml"}},
		{"stage order kept", ptr("stages:\n  - prod\n  - dev\n  - Stage_2\n"),
			Config{Stages: []string{"prod", "dev", "Stage_2"}, Emojis: true, LogLevel: "INFO", Index: "artifacts.yaml"}},
		{"keys are case-insensitive", ptr("STAGES: [dev]\nEmojis: false\nLOG_LEVEL: DEBUG\nIndex: registry.yaml\n"),
			Config{Stages: []string{"dev"}, Emojis: false, LogLevel: "DEBUG", Index: "registry.yaml"}},
		// gto's Optional fields; emojis, index, log_level refuse null
		{"null types and stages keep defaults", ptr("types: null\nstages: ~\nconfig_file_name:\n"), Default()},
		// gto reads `conf or {}`: a document Python takes for false is empty
		{"false document", ptr("false\n"), Default()},
		{"zero document", ptr("0\n"), Default()},
		{"empty string document", ptr("''\n"), Default()},
		{"empty list document", ptr("[]\n"), Default()},
		{"empty log level", ptr("log_level: ''\n"), Config{Emojis: true, LogLevel: "", Index: "artifacts.yaml"}},
		{"the later of two spellings wins", ptr("stages: [dev]\nSTAGES: [prod]\ntypes: [a]\nTypes: ~\n"),
			Config{Stages: []string{"prod"}, Emojis: true, LogLevel: "INFO", Index: "artifacts.yaml"}},
		{"ignored keys", ptr("debug: true\nenrichments: [{type: x}]\nautoload_enrichments: false\nconfig_file_name: other\n"), Default()},
		{"emojis spellings", ptr("emojis: 'off'\n"), Config{Emojis: false, LogLevel: "INFO", Index: "artifacts.yaml"}},
		{"aliases", ptr("types: &x [dev, prod]\nstages: *x\nemojis: &e false\nlog_level: *e\n"),
			Config{Types: []string{"dev", "prod"}, Stages: []string{"dev", "prod"}, Emojis: false, LogLevel: "false", Index: "artifacts.yaml"}},
		{"numeric names", ptr("stages: [1, 2]\n"), Config{Stages: []string{"1", "2"}, Emojis: true, LogLevel: "INFO", Index: "artifacts.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.content, nil)
			if err != nil {
				t.Fatal(err)
			}
			if (c.File != "") != (tt.content != nil) || (c.File != "" && filepath.Base(c.File) != ".gto") {
				t.Errorf("File = %q", c.File)
			}
			c.File, c.typesFrom, c.stagesFrom = "", "", ""
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("Load() = %#v, want %#v", c, tt.want)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name, content string
		parts         []string
	}{
		{"conformance WRONG_CONFIG", "WRONG_CONFIG", []string{".gto is not a YAML mapping"}},
		{"a list", "- dev\n", []string{".gto is not a YAML mapping"}},
		{"conformance invalid stage", `stages: ["bad stage"]`, []string{`.gto: line 1: invalid stage name "bad stage": `}},
		{"conformance syntax error", "stages: [dev", []string{".gto: line 1: did not find expected ',' or ']'"}},
		{"invalid type", "types: [ok, '###']", []string{`.gto: line 1: invalid type name "###"`}},
		{"stages not a list", "stages: dev", []string{`.gto: line 1: "stages" must be a list of names, got "dev"`}},
		{"stages a mapping", "stages: {dev: 1}", []string{`"stages" must be a list of names, got a mapping`}},
		{"types with null item", "types: [a, null]", []string{`"types" must be a list of names, got null in it`}},
		{"nested list", "stages: [[dev]]", []string{`"stages" must be a list of names, got a list in it`}},
		{"anchor on an unknown key", "a: &x [dev]\nstages: *x\n", []string{`.gto: line 1: unknown key "a"`}},
		{"alias to a nested list", "types: &x [[dev]]\nstages: *x\n", []string{`"types" must be a list of names, got a list in it`}},
		{"unknown key", "stages: [dev]\nfoo: bar\n", []string{`.gto: line 2: unknown key "foo"`}},
		{"duplicate key", "stages: [dev]\nstages: [prod]\n", []string{`.gto: line 2: "stages" is set twice`}},
		{"null emojis", "emojis:\n", []string{`.gto: line 1: "emojis" must be set, got null`}},
		{"null index", "index: ~\n", []string{`"index" must be set, got null`}},
		{"null log level", "log_level: null\n", []string{`"log_level" must be set, got null`}},
		{"null debug", "debug:\n", []string{`"debug" must be set, got null`}},
		{"debug not a boolean", "debug: maybe", []string{`.gto: line 1: "debug" must be true or false, got "maybe"`}},
		{"autoload_enrichments not a boolean", "autoload_enrichments: [x]", []string{`"autoload_enrichments" must be true or false, got a list`}},
		{"enrichments not a list", "enrichments: 5", []string{`"enrichments" must be a list, got "5"`}},
		{"true document", "true\n", []string{".gto is not a YAML mapping"}},
		{"one document", "1\n", []string{".gto is not a YAML mapping"}},
		{"emojis not a boolean", "emojis: maybe", []string{`.gto: line 1: "emojis" must be true or false, got "maybe"`}},
		{"index a list", "index: [a]", []string{`.gto: line 1: "index" must be a file name, got a list`}},
		{"index empty", "index: ''", []string{`"index" must be a file name, got ""`}},
		{"log level a mapping", "log_level: {a: b}", []string{`"log_level" must be a log level, got a mapping`}},
		{"list key", "? [a]\n: b\n", []string{".gto: line 1: keys must be setting names, got a list"}},
		{"second document", "stages: [dev]\n---\ntypes: [x]\n", []string{".gto: line 3: a second YAML document is not allowed"}},
		// Before yamldoc, only the document right after the first was checked.
		{"document after an empty one", "stages: [dev]\n---\n---\ntypes: [x]\n", []string{".gto: line 4: a second YAML document is not allowed"}},
		{"malformed second document", "stages: [dev]\n---\ntypes: [\n", []string{".gto: line 3: did not find expected node content"}},
		{"alias key", "debug: &s true\n*s : [x]\n", []string{".gto: line 2: keys must be setting names, got an alias (*s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, &tt.content, nil)
			assertErr(t, err, tt.parts...)
		})
	}
}

func TestLoadFileReadErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".gto"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir, env(nil))
	assertErr(t, err, ".gto is a directory")

	dir = t.TempDir()
	big := "# " + strings.Repeat("x", MaxFileSize) + "\n"
	if err := os.WriteFile(filepath.Join(dir, ".gto"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir, env(nil))
	assertErr(t, err, ".gto is too large")
}

func TestLoadConfigFileName(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gto.yaml"), []byte("stages: [qa]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gto"), []byte("WRONG"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir, env(map[string]string{"GTO_CONFIG_FILE_NAME": "gto.yaml"}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Stages, []string{"qa"}) || c.File != filepath.Join(dir, "gto.yaml") {
		t.Errorf("Load() = %+v", c)
	}
	abs := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.WriteFile(abs, []byte("types: [t]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = Load(dir, env(map[string]string{"GTO_CONFIG_FILE_NAME": abs}))
	if err != nil || !reflect.DeepEqual(c.Types, []string{"t"}) {
		t.Errorf("Load() with an absolute file name = %+v, %v", c, err)
	}
	_, err = Load(dir, env(map[string]string{"GTO_CONFIG_FILE_NAME": "missing"}))
	if err != nil {
		t.Errorf("a missing file is fine: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gto.yaml"), []byte("WRONG"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir, env(map[string]string{"GTO_CONFIG_FILE_NAME": "gto.yaml"}))
	assertErr(t, err, "gto.yaml is not a YAML mapping")
}

func TestLoadEnv(t *testing.T) {
	file := "types: [model]\nstages: [dev]\nemojis: true\nindex: file.yaml\nlog_level: WARNING\n"
	tests := []struct {
		name    string
		content *string
		vars    map[string]string
		check   func(Config) bool
	}{
		{"conformance GTO_STAGES overrides the file", &file, map[string]string{"GTO_STAGES": `["qa", "prod"]`},
			func(c Config) bool {
				return reflect.DeepEqual(c.Stages, []string{"qa", "prod"}) && reflect.DeepEqual(c.Types, []string{"model"})
			}},
		{"conformance GTO_TYPES overrides the file", &file, map[string]string{"GTO_TYPES": `["dataset"]`},
			func(c Config) bool { return reflect.DeepEqual(c.Types, []string{"dataset"}) }},
		{"conformance GTO_STAGES without file", nil, map[string]string{"GTO_STAGES": `["prod", "dev"]`},
			func(c Config) bool { return reflect.DeepEqual(c.Stages, []string{"prod", "dev"}) && c.File == "" }},
		{"empty JSON list allows none", nil, map[string]string{"GTO_STAGES": `[]`},
			func(c Config) bool { return c.Stages != nil && len(c.Stages) == 0 }},
		{"JSON null is not configured", &file, map[string]string{"GTO_STAGES": ` null `},
			func(c Config) bool { return c.Stages == nil }},
		{"conformance GTO_INDEX", &file, map[string]string{"GTO_INDEX": "registry.yaml"},
			func(c Config) bool { return c.Index == "registry.yaml" }},
		{"GTO_EMOJIS", &file, map[string]string{"GTO_EMOJIS": "FALSE"}, func(c Config) bool { return !c.Emojis }},
		{"GTO_EMOJIS 0", nil, map[string]string{"GTO_EMOJIS": "0"}, func(c Config) bool { return !c.Emojis }},
		{"GTO_EMOJIS on", nil, map[string]string{"GTO_EMOJIS": "on"}, func(c Config) bool { return c.Emojis }},
		{"GTO_LOG_LEVEL", &file, map[string]string{"GTO_LOG_LEVEL": "DEBUG"}, func(c Config) bool { return c.LogLevel == "DEBUG" }},
		{"file values without env", &file, nil,
			func(c Config) bool { return c.Index == "file.yaml" && c.LogLevel == "WARNING" && c.Emojis }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.content, tt.vars)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("Load() = %+v", c)
			}
		})
	}
}

func TestLoadEnvErrors(t *testing.T) {
	tests := []struct {
		vars  map[string]string
		parts []string
	}{
		{map[string]string{"GTO_STAGES": "qa"}, []string{"GTO_STAGES must be a JSON list of names: invalid character"}},
		{map[string]string{"GTO_STAGES": ""}, []string{"GTO_STAGES must be a JSON list of names"}},
		{map[string]string{"GTO_TYPES": `"model"`}, []string{"GTO_TYPES must be a JSON list of names: "}},
		{map[string]string{"GTO_TYPES": `[1]`}, []string{"GTO_TYPES must be a JSON list of names: "}},
		{map[string]string{"GTO_STAGES": `["bad stage"]`}, []string{`GTO_STAGES: invalid stage name "bad stage"`}},
		{map[string]string{"GTO_TYPES": `["ok", "a b"]`}, []string{`GTO_TYPES: invalid type name "a b"`}},
		{map[string]string{"GTO_EMOJIS": "maybe"}, []string{`GTO_EMOJIS must be true or false, got "maybe"`}},
		{map[string]string{"GTO_INDEX": ""}, []string{"GTO_INDEX must be a file name"}},
		{map[string]string{"GTO_LOG_LEVEL": ""}, []string{"GTO_LOG_LEVEL must be a log level"}},
	}
	for _, tt := range tests {
		_, err := load(t, nil, tt.vars)
		assertErr(t, err, tt.parts...)
	}
	// The environment cannot repair a broken file: gto reads both.
	_, err := load(t, ptr("stages: [dev"), map[string]string{"GTO_STAGES": `["dev"]`})
	assertErr(t, err, ".gto: line 1:")
}

func TestCheck(t *testing.T) {
	restricted, err := load(t, ptr("types: [model, dataset]\nstages: [dev, prod]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	none, err := load(t, ptr("types: []\nstages: []\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fromEnv, err := load(t, nil, map[string]string{"GTO_STAGES": "[]"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		err   error
		parts []string // nil: no error
	}{
		{"any stage by default", Default().CheckStage("anything"), nil},
		{"any type by default", Default().CheckType("anything"), nil},
		{"invalid stage name", Default().CheckStage("bad stage"), []string{`invalid stage name "bad stage"`}},
		{"invalid type name", Default().CheckType("###"), []string{`invalid type name "###"`}},
		{"allowed stage", restricted.CheckStage("dev"), nil},
		{"allowed type", restricted.CheckType("dataset"), nil},
		{"conformance stage not allowed", restricted.CheckStage("staging"), []string{`stage "staging" is not allowed; allowed stages: dev, prod`}},
		{"conformance type not allowed", restricted.CheckType("unknown"), []string{`type "unknown" is not allowed; allowed types: model, dataset`}},
		{"conformance no stage allowed", none.CheckStage("dev"), []string{"no stages are allowed by .gto"}},
		{"conformance no type allowed", none.CheckType("model"), []string{"no types are allowed by .gto"}},
		{"no stage allowed by env", fromEnv.CheckStage("dev"), []string{"no stages are allowed by GTO_STAGES"}},
		{"no stage allowed by a literal", Config{Stages: []string{}}.CheckStage("dev"), []string{"no stages are allowed by the configuration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.parts == nil {
				if tt.err != nil {
					t.Errorf("unexpected error: %v", tt.err)
				}
				return
			}
			assertErr(t, tt.err, tt.parts...)
		})
	}
	if !errors.Is(Default().CheckStage("bad stage"), tagname.ErrInvalidName) {
		t.Error("an invalid stage name does not wrap tagname.ErrInvalidName")
	}
	if !restricted.StagesConfigured() || !none.StagesConfigured() || Default().StagesConfigured() {
		t.Error("StagesConfigured() is wrong")
	}
}

// TestFileKeysAreRead checks that every setting of fileKeys that is not
// ignored is read by applyFile: each one refuses a mapping, which a key
// accepted but never read would not.
func TestFileKeysAreRead(t *testing.T) {
	t.Parallel()
	for key, spec := range fileKeys {
		if spec.ignored {
			continue
		}
		c := Default()
		if err := c.applyFile([]byte(key+": {a: b}\n"), ".gto"); err == nil {
			t.Errorf("%s: a mapping was accepted", key)
		}
	}
}
