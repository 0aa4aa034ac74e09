package gitcmd

import (
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// TagObject is a parsed annotated tag object.
type TagObject struct {
	// ID is the id of the tag object itself.
	ID string
	// Name, Object and ObjectType are the "tag", "object" and "type"
	// headers: the name the tag was created with (which may differ from
	// the ref pointing at it), and the tagged object's id and type
	// ("commit", or "tag" for a tag of a tag).
	Name, Object, ObjectType string
	// TaggerName and TaggerEmail come from the "tagger" header.
	TaggerName, TaggerEmail string
	// Time is the tagger date in the tagger's own time zone: a
	// time.FixedZone named after the offset ("+0530"). Zero when the
	// tagger line has no valid date.
	Time time.Time
	// HasTagger is false for (old) tags without a tagger line; the tagger
	// fields are then empty.
	HasTagger bool
	// Message is the message without a trailing signature block
	// (-----BEGIN PGP SIGNATURE-----, -----BEGIN SSH SIGNATURE-----, ...)
	// and with exactly one trailing "\n" removed: "line 1\nline 2".
	Message string
	// Signed reports whether the tag carries a signature (not whether it
	// verifies: that is `git tag -v`).
	Signed bool
}

// Commit is a parsed commit object.
type Commit struct {
	// Hash is the commit's id; Tree its tree's id; Parents the ids of its
	// parents in order (none for a root commit).
	Hash, Tree string
	Parents    []string
	// AuthorName, AuthorEmail and AuthorTime come from the "author" header;
	// the time is in the author's zone (see TagObject.Time).
	AuthorName, AuthorEmail string
	AuthorTime              time.Time
	// CommitterName, CommitterEmail and CommitterTime come from the
	// "committer" header.
	CommitterName, CommitterEmail string
	CommitterTime                 time.Time
	// Encoding is the "encoding" header: the character set of Message when
	// it is not UTF-8 ("" = UTF-8).
	Encoding string
	// Message is the full message as stored, including its trailing newline
	// ("Initial commit\n").
	Message string
}

// eachHeader calls each with the key and value of every header line of a
// commit or tag object (continuation lines of multi-line headers such as
// gpgsig and mergetag are skipped) and returns the body after the first
// empty line ("" when there is none). Keys and values are slices of text.
func eachHeader(text string, each func(key, value string)) (body string) {
	rest := text
	for len(rest) > 0 {
		line := rest
		nl := strings.IndexByte(rest, '\n')
		if nl >= 0 {
			line, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = ""
		}
		if line == "" && nl >= 0 {
			return rest
		}
		if line[0] == ' ' {
			continue
		}
		key, value, _ := strings.Cut(line, " ")
		each(key, value)
	}
	return ""
}

// parseTag parses the tag object id with content data. It is on the hot
// path of every registry read (one call per tag), so every field is a slice
// of data, not a copy: the caller hands data over and must not modify it.
func parseTag(id string, data []byte) (TagObject, error) {
	t := TagObject{ID: id}
	body := eachHeader(ownedString(data), func(key, value string) {
		switch key {
		case "object":
			t.Object = value
		case "type":
			t.ObjectType = value
		case "tag":
			t.Name = value
		case "tagger":
			who := parseIdent(value)
			t.HasTagger = true
			t.TaggerName, t.TaggerEmail, t.Time = who.name, who.email, who.time
		case "gpgsig", "gpgsig-sha256":
			// Signature over the tag in the repository's other hash
			// algorithm (SHA-1/SHA-256 interoperability).
			t.Signed = true
		}
	})
	if t.Object == "" || t.ObjectType == "" {
		return TagObject{}, fmt.Errorf("tag object %s: missing object or type header", id)
	}
	msg := body
	if strings.Contains(msg, "-----BEGIN ") {
		if i := signatureStart(msg); i >= 0 {
			msg, t.Signed = msg[:i], true
		}
	}
	t.Message = strings.TrimSuffix(msg, "\n")
	return t, nil
}

// signatureBegins are the first lines of the signature formats git knows
// (openpgp, x509, ssh); see gpg-interface.c.
var signatureBegins = []string{
	"-----BEGIN PGP SIGNATURE-----",
	"-----BEGIN PGP MESSAGE-----",
	"-----BEGIN SIGNED MESSAGE-----",
	"-----BEGIN SSH SIGNATURE-----",
}

// signatureStart returns the offset of the signature appended to a tag
// message, or -1. Like git's parse_signed_buffer it takes the last line that
// starts a signature, so a message quoting a signature keeps its quote.
func signatureStart(msg string) int {
	start := -1
	for off := 0; off < len(msg); {
		for _, b := range signatureBegins {
			if strings.HasPrefix(msg[off:], b) {
				start = off
			}
		}
		nl := strings.IndexByte(msg[off:], '\n')
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return start
}

// parseCommit parses the commit object id with content data; like
// parseTag, its fields share data's memory (a registry reads thousands of
// commits).
func parseCommit(id string, data []byte) (Commit, error) {
	c := Commit{Hash: id}
	c.Message = eachHeader(ownedString(data), func(key, value string) {
		switch key {
		case "tree":
			c.Tree = value
		case "parent":
			c.Parents = append(c.Parents, value)
		case "author":
			who := parseIdent(value)
			c.AuthorName, c.AuthorEmail, c.AuthorTime = who.name, who.email, who.time
		case "committer":
			who := parseIdent(value)
			c.CommitterName, c.CommitterEmail, c.CommitterTime = who.name, who.email, who.time
		case "encoding":
			c.Encoding = value
		}
	})
	if c.Tree == "" {
		return Commit{}, fmt.Errorf("commit %s: missing tree header", id)
	}
	return c, nil
}

// ownedString returns data as a string without copying it. Only for buffers
// that nobody modifies afterwards: the object contents cat-file answers are
// read into a fresh buffer each, handed to one parser, and then only the
// strings remain.
func ownedString(data []byte) string {
	return unsafe.String(unsafe.SliceData(data), len(data))
}
