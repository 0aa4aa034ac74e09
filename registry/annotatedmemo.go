package registry

import (
	"context"
	"strings"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
)

// firstAnnotated returns what walk returns, the first commit (in the walk's
// order, newest first) of each distinct set of artifacts, remembered in the
// object cache for the branch tips (like historyPaths). `show
// --all-commits` needs only these few, but finding them means the files of
// every commit: 10,000 commits' worth of decoding on every run of an
// unchanged repository, a third of the command on the deep registry.
func firstAnnotated(ctx context.Context, rd store.Reader, files []indexFile, walk func() ([]model.AnnotatedCommit, error)) ([]model.AnnotatedCommit, error) {
	tips, err := rd.Branches(ctx)
	if err != nil {
		return nil, err
	}
	slot, key := firstAnnotatedSlot(files), strings.Join(tips, " ")
	if v, ok := rd.Memo(slot); ok {
		if out, ok := decodeFirstAnnotated(v, key); ok {
			return out, nil
		}
	}
	out, err := walk()
	if err != nil {
		return nil, err
	}
	if v, ok := encodeFirstAnnotated(key, out); ok {
		rd.SetMemo(slot, v)
	}
	return out, nil
}

// firstAnnotatedSlot names the memo of the annotation files files: each
// set of files has its own.
func firstAnnotatedSlot(files []indexFile) string {
	var b strings.Builder
	b.WriteString("annotated-first")
	for _, f := range files {
		b.WriteString("\x00" + f.kind + "\x00" + f.path)
	}
	return b.String()
}

// encodeFirstAnnotated writes key, then for each commit a NUL, its id, a
// space and its names (encodeNames). Names and ids never hold a NUL (git
// refuses one in a ref name); ok is false for names encodeNames refuses.
func encodeFirstAnnotated(key string, commits []model.AnnotatedCommit) (string, bool) {
	if strings.ContainsAny(key, "\x00\n") {
		return "", false
	}
	var b strings.Builder
	b.WriteString(key)
	for _, c := range commits {
		names, ok := encodeNames(c.Names)
		if !ok || len(c.Names) == 0 || strings.ContainsAny(c.Commit, "\x00 ") || strings.Contains(names, "\x00") {
			return "", false
		}
		b.WriteString("\x00" + c.Commit + " " + names)
	}
	return b.String(), true
}

// decodeFirstAnnotated reads what encodeFirstAnnotated wrote for key; ok is
// false for another key (the branches moved) or a value it cannot read.
func decodeFirstAnnotated(v, key string) ([]model.AnnotatedCommit, bool) {
	at, rest, _ := strings.Cut(v, "\x00")
	if at != key {
		return nil, false
	}
	if v == key {
		return nil, true // nothing is annotated
	}
	var out []model.AnnotatedCommit
	for entry := range strings.SplitSeq(rest, "\x00") {
		commit, names, ok := strings.Cut(entry, " ")
		if !ok || commit == "" || names == "" {
			return nil, false
		}
		out = append(out, model.AnnotatedCommit{Commit: commit, Names: decodeNames(names)})
	}
	return out, true
}
