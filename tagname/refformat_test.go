package tagname

import (
	"errors"
	"testing"
)

func TestCheckRefFormat(t *testing.T) {
	for _, name := range []string{
		"m@v1.0.0", "m#prod!#2", "a/b=m@v1.0.0", "x.=m@v1", "x.lock=m", "a.lock.b",
		"m@", "m@v1.0.0+a.lock#1", "é=m", "a/b/c", "m!", "a.b", "lock", ".lockx"[1:],
	} {
		if err := CheckRefFormat(name); err != nil {
			t.Errorf("CheckRefFormat(%q): %v", name, err)
		}
	}
	for _, tc := range []struct{ name, reason string }{
		{"", "is empty"},
		{"@", `is "@"`},
		{"-x", `starts with "-"`},
		{"/x", `starts with "/"`},
		{"x/", `ends with "/"`},
		{"x.", `ends with "."`},
		{"m#a.", `ends with "."`},
		{"a//b", `contains "//"`},
		{"a..b", `contains ".."`},
		{"x@{y", `contains "@{"`},
		{".x", `has a path component starting with "."`},
		{"a/.b", `has a path component starting with "."`},
		{"a.lock", `has a path component ending with ".lock"`},
		{"a.lock/b", `has a path component ending with ".lock"`},
		{"b/a.lock", `has a path component ending with ".lock"`},
		{"m@v1.0.0+a.lock", `has a path component ending with ".lock"`},
		{"a b", "contains a space"},
		{"a\tb", "contains a control character"},
		{"a\x00b", "contains a control character"},
		{"a\x7fb", "contains a control character"},
		{"a~b", `contains "~"`},
		{"a^b", `contains "^"`},
		{"a:b", `contains ":"`},
		{"a?b", `contains "?"`},
		{"a*b", `contains "*"`},
		{"a[b", `contains "["`},
		{`a\b`, `contains "\"`},
	} {
		err := CheckRefFormat(tc.name)
		var re *RefFormatError
		if !errors.As(err, &re) || re.Reason != tc.reason || re.Name != tc.name {
			t.Errorf("CheckRefFormat(%q) = %v, want reason %s", tc.name, err, tc.reason)
			continue
		}
		if !errors.Is(err, ErrInvalidRef) {
			t.Errorf("CheckRefFormat(%q) does not wrap ErrInvalidRef", tc.name)
		}
	}
	want := `"a//b" is not a valid git tag name: it contains "//"`
	if err := CheckRefFormat("a//b"); err == nil || err.Error() != want {
		t.Errorf("CheckRefFormat(a//b) = %v, want %s", err, want)
	}
}
