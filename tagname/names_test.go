package tagname

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateArtifactName(t *testing.T) {
	for _, name := range []string{
		"1", "m", "nn", "m1", "1nn", "model-prod", "model-prod-v1", "model_prod_v1",
		"dvclive/model", "model_A", "DVCLive/Model", "a/b/c", "a-/-b", "a__b",
		"dvclive:model", "some/folder:some/model", "some/Other_Folder:some/model",
		"d:m", "_:m", "x.:m", "a.b:m", "dir/:m", "x.lock:m", "a-:m", "x./y:m",
	} {
		if err := ValidateArtifactName(name); err != nil {
			t.Errorf("ValidateArtifactName(%q): %v", name, err)
		}
	}
	for _, name := range []string{
		"", "m/", "/m", "###", "@@@", "a model", "_model", "-model", "model-",
		"model@1", "model#1", "@namespace/model", "mod.el", "d=m", "d:m:x", ":m",
		"d:", "d:-m", "dír:m", "modél", "m\n", "a//b", "d:a//b", "a//b:m",
		".x:m", "a/.x:m", "a..b:m", "x.lock/y:m", "-x:m", "/x:m", "x~:m",
	} {
		err := ValidateArtifactName(name)
		if err == nil {
			t.Errorf("ValidateArtifactName(%q) succeeded", name)
			continue
		}
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateArtifactName(%q) error %v does not wrap ErrInvalidName", name, err)
		}
		if !strings.HasPrefix(err.Error(), `invalid artifact name "`) {
			t.Errorf("ValidateArtifactName(%q) error %q", name, err)
		}
	}
}

func TestValidateArtifactNameMessages(t *testing.T) {
	for name, want := range map[string]string{
		"###":  `invalid artifact name "###": names start and end with a letter or digit and contain only letters, digits, "_", "-" and "/" (optionally prefixed by a "dir:" namespace)`,
		"a//b": `invalid artifact name "a//b": it contains "//", which git does not allow in tag names`,
		".x:m": `invalid artifact name ".x:m": it has a path component starting with ".", which git does not allow in tag names`,
		"-x:m": `invalid artifact name "-x:m": it starts with "-", which git does not allow in tag names`,
	} {
		if err := ValidateArtifactName(name); err == nil || err.Error() != want {
			t.Errorf("ValidateArtifactName(%q) = %v, want %s", name, err, want)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, name := range []string{"prod", "1", "Prod", "team/prod-2", "stage_1", "dev-2024", "a-/-b"} {
		if err := ValidateName("stage", name); err != nil {
			t.Errorf("ValidateName(%q): %v", name, err)
		}
	}
	for _, name := range []string{"", "a b", "-a", "a-", "a/", "/a", "a.b", "d:m", "a#b", "a@b", "a!", "a//b", "é"} {
		err := ValidateName("stage", name)
		if err == nil {
			t.Errorf("ValidateName(%q) succeeded", name)
			continue
		}
		if !errors.Is(err, ErrInvalidName) || !strings.HasPrefix(err.Error(), `invalid stage name "`) {
			t.Errorf("ValidateName(%q) error %v", name, err)
		}
	}
	want := `invalid type name "a b": names start and end with a letter or digit and contain only letters, digits, "_", "-" and "/"`
	if err := ValidateName("type", "a b"); err == nil || err.Error() != want {
		t.Errorf("ValidateName(type, a b) = %v, want %s", err, want)
	}
	var ne *NameError
	if err := ValidateName("label", "a//b"); !errors.As(err, &ne) || ne.Kind != "label" || ne.Name != "a//b" {
		t.Errorf("ValidateName(label, a//b) = %#v", err)
	}
	if err := ValidateName("", "a b"); err == nil || !strings.HasPrefix(err.Error(), `invalid name "a b": `) {
		t.Errorf("ValidateName with empty kind = %v", err)
	}
}

// TestLowerCaseNames checks that every name 0.2.4's grammar accepted stays valid.
func TestLowerCaseNames(t *testing.T) {
	for _, name := range []string{"nn", "model", "my-model", "a/b", "model-v1", "x9", "a--b", "a/b/c"} {
		if err := ValidateArtifactName(name); err != nil {
			t.Errorf("0.2.4 name %q: %v", name, err)
		}
		if err := ValidateName("stage", name); err != nil {
			t.Errorf("0.2.4 stage %q: %v", name, err)
		}
	}
}

func TestArtifactTagConversion(t *testing.T) {
	for name, inTag := range map[string]string{
		"model":         "model",
		"dir/sub:model": "dir/sub=model",
		"d:a/b":         "d=a/b",
	} {
		if got := ArtifactToTag(name); got != inTag {
			t.Errorf("ArtifactToTag(%q) = %q", name, got)
		}
		if got := TagPrefix(name); got != inTag {
			t.Errorf("TagPrefix(%q) = %q", name, got)
		}
		if got := ArtifactFromTag(inTag); got != name {
			t.Errorf("ArtifactFromTag(%q) = %q", inTag, got)
		}
	}
}

// TestTagPrefixSelectsOwnTags checks the claim TagPrefix documents: an artifact's tags
// start with prefix+"@" or prefix+"#", and other artifacts' tags never do.
func TestTagPrefixSelectsOwnTags(t *testing.T) {
	tags := []string{"m@v1.0.0", "m#prod#1", "m/x@v1.0.0", "mm@v1.0.0", "d=m@v1.0.0", "m-2#prod", "d=m/x#prod"}
	for _, artifact := range []string{"m", "d:m", "m/x"} {
		prefix := TagPrefix(artifact)
		for _, tag := range tags {
			p, ok := Parse(tag)
			if !ok {
				t.Fatalf("Parse(%q) failed", tag)
			}
			selected := strings.HasPrefix(tag, prefix+"@") || strings.HasPrefix(tag, prefix+"#")
			if selected != (p.Artifact == artifact) {
				t.Errorf("prefix %q selects %q: %v, but its artifact is %q", prefix, tag, selected, p.Artifact)
			}
		}
	}
}

func TestNamesTooLongForGit(t *testing.T) {
	t.Parallel()
	if err := ValidateArtifactName(strings.Repeat("a", MaxNameLength)); err != nil {
		t.Errorf("a name of %d bytes: %v", MaxNameLength, err)
	}
	err := ValidateName("stage", strings.Repeat("s", 300))
	if err == nil || !strings.Contains(err.Error(), "it is 300 bytes long, and names have at most 200") {
		t.Fatalf("a 300-byte stage: %v", err)
	}
	// A long name in a message is cut, at a character boundary.
	err = ValidateName("stage", "x"+strings.Repeat("é", 150))
	if msg := err.Error(); !utf8.ValidString(msg) || strings.Count(msg, "é") != 31 || !strings.Contains(msg, "é…") {
		t.Errorf("the name is not shortened at a character boundary: %q", msg)
	}
	if err := CheckWritable("m@v1.0.0-" + strings.Repeat("x", 241)); err != nil {
		t.Errorf("a part of 250 bytes: %v", err)
	}
	if err := CheckWritable("dir/sub=m@v1.0.0-" + strings.Repeat("x", 242)); err == nil {
		t.Error("a part of 251 bytes is writable")
	}
	if err := CheckWritable("m@v1.0.0~"); err == nil {
		t.Error("CheckWritable does not check the ref format")
	}
}
