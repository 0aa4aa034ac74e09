package registry

import (
	"context"
	"strings"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
)

// atTips returns compute's answer, remembered in the memo slot for the
// branch tips it was computed at: for answers that depend only on the
// commits the branches reach. The slot keeps the last tips' answer alone
// (the tips, a newline, then what encode wrote); other tips, or a value
// decode refuses, compute again. An answer encode refuses is not kept.
func atTips[T any](ctx context.Context, rd store.Reader, slot string, compute func() (T, error), encode func(T) (string, bool), decode func(string) (T, bool)) (T, error) {
	var zero T
	tips, err := rd.Branches(ctx)
	if err != nil {
		return zero, err
	}
	key := strings.Join(tips, " ")
	if v, ok := rd.Memo(slot); ok {
		if at, body, ok := strings.Cut(v, "\n"); ok && at == key {
			if answer, ok := decode(body); ok {
				return answer, nil
			}
		}
	}
	answer, err := compute()
	if err != nil {
		return zero, err
	}
	if body, ok := encode(answer); ok {
		rd.SetMemo(slot, key+"\n"+body)
	}
	return answer, nil
}

// historyPaths is HistoryFilesNamed, remembered for the branch tips.
func historyPaths(ctx context.Context, rd store.Reader, name string) ([]string, error) {
	return atTips(ctx, rd, "history-files\x00"+name,
		func() ([]string, error) { return rd.HistoryFilesNamed(ctx, name) },
		encodeNames,
		func(v string) ([]string, bool) { return decodeNames(v), true })
}

// firstAnnotated returns what walk returns, the first commit (in the walk's
// order, newest first) of each distinct set of artifacts, remembered for
// the branch tips. `show --all-commits` needs only these few, but finding
// them means the files of every commit: 10,000 commits' worth of decoding
// on every run of an unchanged repository, a third of the command on the
// deep registry.
func firstAnnotated(ctx context.Context, rd store.Reader, files []indexFile, walk func() ([]model.AnnotatedCommit, error)) ([]model.AnnotatedCommit, error) {
	return atTips(ctx, rd, firstAnnotatedSlot(files), walk, encodeFirstAnnotated, decodeFirstAnnotated)
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

// encodeFirstAnnotated writes, for each commit, its id, a space and its
// names (encodeNames), the commits separated by NULs. Names and ids never
// hold a NUL (git refuses one in a ref name); ok is false for names
// encodeNames refuses.
func encodeFirstAnnotated(commits []model.AnnotatedCommit) (string, bool) {
	var b strings.Builder
	for i, c := range commits {
		names, ok := encodeNames(c.Names)
		if !ok || len(c.Names) == 0 || strings.ContainsAny(c.Commit, "\x00 \n") || strings.Contains(names, "\x00") {
			return "", false
		}
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(c.Commit + " " + names)
	}
	return b.String(), true
}

// decodeFirstAnnotated reads what encodeFirstAnnotated wrote; ok is false
// for a value it cannot read.
func decodeFirstAnnotated(v string) ([]model.AnnotatedCommit, bool) {
	if v == "" {
		return nil, true // nothing is annotated
	}
	var out []model.AnnotatedCommit
	for entry := range strings.SplitSeq(v, "\x00") {
		commit, names, ok := strings.Cut(entry, " ")
		if !ok || commit == "" || names == "" {
			return nil, false
		}
		out = append(out, model.AnnotatedCommit{Commit: commit, Names: decodeNames(names)})
	}
	return out, true
}
