package gitcmd

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
)

// UpdateTags creates the annotated tags create and deletes the tags
// named in del, all at once: either every change is made or none is, also
// when gto is killed half-way (a registration must not stay behind without
// the assignment it was made for, nor half of an artifact's tags be
// deleted). A single creation is CreateTag.
//
// The tag objects are made first, by `git tag -a` (so git's message
// clean-up, tagger identity and signing apply exactly as for one tag) in a
// scratch repository that writes its objects into this repository's
// object store and its refs into a folder thrown away after. Then one ref
// transaction (`git update-ref --stdin`: start, create..., delete...,
// prepare, commit) makes every change, or none: a deletion is conditional
// on the object the tag named when UpdateTags started, a creation on the
// tag not existing. Objects of a failed attempt are left unreferenced
// (git's gc removes them).
//
// Errors: ErrRefNotFound (naming the tag) when a tag to delete does not
// exist, before anything is written; ErrTagExists (naming the tag) when a
// tag to create exists; an *Error for other failures.
func (r *Repo) UpdateTags(ctx context.Context, create []TagRequest, del []string) error {
	if len(create) == 0 && len(del) == 0 {
		return nil
	}
	if len(create) == 1 && len(del) == 0 && create[0].Object == "" {
		return r.CreateTag(ctx, create[0])
	}
	old, err := r.tagObjectsNamed(ctx, del)
	if err != nil {
		return err
	}
	ids := map[string]string{}
	var toMake []TagRequest
	for _, req := range create {
		if req.Object != "" {
			ids[req.Name] = req.Object
		} else {
			toMake = append(toMake, req)
		}
	}
	if len(toMake) > 0 {
		made, err := r.tagObjects(ctx, toMake)
		if err != nil {
			return err
		}
		maps.Copy(ids, made)
	}
	var in strings.Builder
	in.WriteString("start\n")
	for _, req := range create {
		in.WriteString("create refs/tags/" + req.Name + " " + ids[req.Name] + "\n")
	}
	for _, name := range unique(del) {
		in.WriteString("delete refs/tags/" + name + " " + old[name] + "\n")
	}
	in.WriteString("prepare\ncommit\n")
	_, err = r.run(ctx, call{args: []string{"update-ref", "--stdin"}, stdin: strings.NewReader(in.String())})
	if err == nil || ctx.Err() != nil {
		return err
	}
	// A ref that exists makes the transaction fail: which one, if any,
	// tells a lost race from another failure.
	for _, req := range create {
		if exists, _ := r.TagExists(ctx, req.Name); exists {
			return newKindError(ErrTagExists, err, "tag %q already exists", req.Name)
		}
	}
	return err
}

// tagObjectsNamed returns the objects the named tags point at; a tag that
// does not exist is ErrRefNotFound.
func (r *Repo) tagObjectsNamed(ctx context.Context, names []string) (map[string]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	patterns := make([]string, len(names))
	for i, n := range names {
		patterns[i] = EscapePattern(n)
	}
	refs, err := r.ListTags(ctx, patterns...)
	if err != nil {
		return nil, err
	}
	objects := make(map[string]string, len(refs))
	for _, ref := range refs {
		objects[ref.Name] = ref.Object
	}
	for _, n := range names {
		if _, ok := objects[n]; !ok {
			return nil, tagNotFound(n, nil)
		}
	}
	return objects, nil
}

// tagObjects writes the tag objects of reqs into the object store without
// creating their refs, and returns their ids by tag name.
func (r *Repo) tagObjects(ctx context.Context, reqs []TagRequest) (map[string]string, error) {
	objects, err := r.git(ctx, "rev-parse", "--git-path", "objects")
	if err != nil {
		return nil, err
	}
	objectDir := strings.TrimSpace(string(objects))
	if !filepath.IsAbs(objectDir) {
		objectDir = filepath.Join(r.dir(), objectDir)
	}
	scratch, err := r.scratchRepo(reqs[0].Target)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	env := []string{"GIT_DIR=" + scratch, "GIT_OBJECT_DIRECTORY=" + objectDir}
	for _, req := range reqs {
		callEnv := env
		if req.Date != "" {
			callEnv = append(callEnv, "GIT_COMMITTER_DATE="+req.Date)
		}
		if _, err := r.Options.run(ctx, scratch, call{args: tagArgs(req), env: callEnv, stdin: strings.NewReader(req.Message)}); err != nil {
			return nil, err
		}
	}
	out, err := r.Options.run(ctx, scratch, call{env: env, args: []string{"for-each-ref",
		"--format=%(refname:strip=2)%00%(objectname)%00%(if)%(contents:signature)%(then)1%(end)", "refs/tags/"}})
	if err != nil {
		return nil, err
	}
	ids := make(map[string]string, len(reqs))
	signed := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Split(strings.TrimSuffix(line, "\n"), "\x00")
		if len(fields) == 3 {
			ids[fields[0]], signed[fields[0]] = fields[1], fields[2] == "1"
		}
	}
	for _, req := range reqs {
		if ids[req.Name] == "" {
			return nil, fmt.Errorf("git tag: tag %q was not written", req.Name)
		}
		if req.Sign != nil && *req.Sign && !signed[req.Name] {
			return nil, newKindError(ErrNotSigned, nil, "could not sign tag %q: git wrote it without a signature", req.Name)
		}
	}
	return ids, nil
}

// scratchRepo makes the folder of a bare repository that reads this
// repository's configuration (for the tagger identity and signing keys)
// and keeps the refs written into it to itself. A commit id of the
// repository (target) tells its object format.
func (r *Repo) scratchRepo(target string) (string, error) {
	dir, err := os.MkdirTemp("", "gto-tags-")
	if err != nil {
		return "", err
	}
	format := "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
	if len(target) == 64 {
		format = "[core]\n\trepositoryformatversion = 1\n\tbare = true\n[extensions]\n\tobjectformat = sha256\n"
	}
	config := format + "[include]\n\tpath = " + quoteConfigValue(filepath.Join(r.gitDir, "config")) + "\n"
	for name, content := range map[string]string{"HEAD": "ref: refs/heads/main\n", "config": config} {
		if err = os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			break
		}
	}
	if err == nil {
		err = os.MkdirAll(filepath.Join(dir, "refs", "tags"), 0o755)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// quoteConfigValue writes s as a double-quoted git config value.
func quoteConfigValue(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// tagArgs are the arguments of `git tag -a` for req, the message on
// standard input.
func tagArgs(req TagRequest) []string {
	args := []string{"tag", "-a"}
	switch {
	case req.Sign == nil:
	case *req.Sign:
		args = append(args, "-s")
	default:
		args = append(args, "--no-sign")
	}
	return append(args, "-F", "-", "--end-of-options", req.Name, req.Target)
}
