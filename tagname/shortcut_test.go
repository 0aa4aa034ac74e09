package tagname

import (
	"strings"
	"testing"
)

func TestParseShortcut(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shortcut
	}{
		{"model", Shortcut{Artifact: "model"}},
		{"dir/sub:model", Shortcut{Artifact: "dir/sub:model"}},
		{"model@latest", Shortcut{Artifact: "model", Latest: true}},
		{"model@greatest", Shortcut{Artifact: "model", Greatest: true}},
		{"model@v1.2.3", Shortcut{Artifact: "model", Version: "v1.2.3"}},
		{"model@v1.2.3-rc.1+b", Shortcut{Artifact: "model", Version: "v1.2.3-rc.1+b"}},
		{"model#prod", Shortcut{Artifact: "model", Stage: "prod"}},
		{"dir:model#team/prod-2", Shortcut{Artifact: "dir:model", Stage: "team/prod-2"}},
		{"d:m@latest", Shortcut{Artifact: "d:m", Latest: true}},
	} {
		got, err := ParseShortcut(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseShortcut(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseShortcutErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `invalid artifact name ""`},
		{"###", `invalid artifact name "###"`},
		{"@latest", `invalid artifact name "@latest"`},
		{"d=m@latest", `invalid artifact name "d=m"`},
		{"a//b@latest", `invalid artifact name "a//b": it contains "//"`},
		{"model@v1", `invalid version "v1"`},
		{"model@V1.0.0", `invalid shortcut "model@V1.0.0": after "@" comes latest, greatest or a version such as v1.0.0`},
		{"model@foo", `invalid shortcut "model@foo"`},
		{"model@", `invalid shortcut "model@"`},
		{"model@Latest", `invalid shortcut "model@Latest"`},
		{"model@deprecated", `invalid shortcut "model@deprecated"`},
		{"model@v1.0.0!", `invalid version "v1.0.0!"`},
		{"model#", `invalid stage name ""`},
		{"model#a#b", `invalid stage name "a#b"`},
		{"model#prod!", `invalid stage name "prod!"`},
		{"model#a//b", `invalid stage name "a//b": it contains "//"`},
		{"model#prod@v1.0.0", `invalid stage name "prod@v1.0.0"`},
	} {
		got, err := ParseShortcut(tc.in)
		if err == nil {
			t.Errorf("ParseShortcut(%q) = %+v, want error %s", tc.in, got, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ParseShortcut(%q) error:\n got %s\nwant %s...", tc.in, err, tc.want)
		}
	}
}
