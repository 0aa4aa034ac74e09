package server

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// The limits of git's loose refs, which are files: a part of a tag name
// between two "/" holds at most tagname.MaxComponentLength bytes; and the
// whole path, the repository's own included, holds at most 4096. A tag
// name of up to maxTagName bytes leaves the repository's path the rest.
const (
	maxTagComponent = tagname.MaxComponentLength
	maxTagName      = 2000
)

// maxCounter stands for the counter of an assignment's tag when the
// length of the tags a write may create is checked: room for a billion
// events of one artifact.
const maxCounter = "#999999999"

// fieldMessage is the request field of a tag message (the model has no
// Field constant for it: no message is ever invalid there).
const fieldMessage = "message"

// fieldsOf lists the fields each write takes; another field given a value
// is refused rather than ignored.
var fieldsOf = map[string]map[string]bool{
	"register":  {model.FieldName: true, model.FieldRef: true, model.FieldVersion: true, model.FieldBump: true, fieldMessage: true},
	"assign":    {model.FieldName: true, model.FieldStage: true, model.FieldVersion: true, model.FieldRef: true, fieldMessage: true},
	"deprecate": {model.FieldName: true, model.FieldRef: true, model.FieldVersion: true, model.FieldStage: true, fieldMessage: true},
}

// validate checks a write's fields before the registry (and git) see
// them: every field is one line of valid UTF-8 text, applies to the
// action, and makes tag names git can store; names and stages follow the
// tag-name grammar; bump is patch, minor or major.
func validate(action string, req WriteRequest) error {
	fields := []struct{ name, value string }{
		{model.FieldName, req.Name}, {model.FieldRef, req.Ref}, {model.FieldVersion, req.Version},
		{model.FieldStage, req.Stage}, {model.FieldBump, req.Bump}, {fieldMessage, req.Message},
	}
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		if !fieldsOf[action][f.name] {
			return model.Invalidf(f.name, "%s does not apply to %s", article(f.name), gerund(action))
		}
		if err := checkText(f.name, f.value); err != nil {
			return err
		}
	}
	if req.Name == "" {
		return model.Invalidf(model.FieldName, "an artifact name is required")
	}
	if req.Ref != "" {
		if strings.HasPrefix(req.Ref, "-") {
			return model.Invalidf(model.FieldRef, "a ref does not start with \"-\"")
		}
		if err := checkRefLength(model.FieldRef, "the ref", req.Ref); err != nil {
			return err
		}
	}
	// The longest tag names the write could create, by the field that
	// makes them long: NAME@deprecated, NAME@VERSION[!], NAME#STAGE[!]#N.
	base := tagname.ArtifactToTag(req.Name)
	cancel := "" // the "!" of a cancelling tag
	if action == "deprecate" {
		cancel = "!"
	}
	if err := checkRefLength(model.FieldName, "the artifact name", base+"@deprecated"); err != nil {
		return err
	}
	if err := tagname.ValidateArtifactName(req.Name); err != nil {
		return model.WrapInvalid(model.FieldName, err)
	}
	if req.Version != "" {
		if err := checkRefLength(model.FieldVersion, "the version", base+"@"+req.Version+cancel); err != nil {
			return err
		}
	}
	if req.Stage != "" {
		if err := checkRefLength(model.FieldStage, "the stage", base+"#"+req.Stage+cancel+maxCounter); err != nil {
			return err
		}
		if err := tagname.ValidateName("stage", req.Stage); err != nil {
			return model.WrapInvalid(model.FieldStage, err)
		}
	}
	if _, err := model.ParseBump(req.Bump); err != nil {
		return err
	}
	return nil
}

// checkText refuses a value that is not valid UTF-8 or holds a control
// character (a newline, a tab, ...): every field is one line of text.
func checkText(field, value string) error {
	if !utf8.ValidString(value) {
		return model.Invalidf(field, "the %s is not valid UTF-8 text", field)
	}
	if i := strings.IndexFunc(value, unicode.IsControl); i >= 0 {
		return model.Invalidf(field, "the %s contains a control character (such as a newline) at byte %d: it must be one line of text", field, i)
	}
	return nil
}

// checkRefLength refuses a tag (or ref) name longer than git can store,
// saying which field made it so (what: "the stage", ...).
func checkRefLength(field, what, name string) error {
	long := len(name) > maxTagName
	for part := range strings.SplitSeq(name, "/") {
		long = long || len(part) > maxTagComponent
	}
	if long {
		return model.Invalidf(field, "%s is too long for a git tag name, which has at most %d bytes, and at most %d between two \"/\"", what, maxTagName, maxTagComponent)
	}
	return nil
}

func article(field string) string { return "a " + field }

func gerund(action string) string {
	switch action {
	case "register":
		return "a registration"
	case "assign":
		return "an assignment"
	}
	return "a deprecation"
}

// uniqueFields checks a form's fields: each known (want), given once.
func uniqueFields(form map[string][]string, want func(string) bool) error {
	for k, vs := range form {
		if !want(k) {
			return model.Invalidf(k, "unknown field %q", truncate(k, 100))
		}
		if len(vs) > 1 {
			return model.Invalidf(k, "the field %s is given %d times", k, len(vs))
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s…", s[:n])
}
