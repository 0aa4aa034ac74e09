package gitcmd

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gto-dev/gto/internal/objectid"
)

// Every write leaves behind a tag the object cache does not know, so the
// command after it (the next write, a show) started cat-file for that one
// object: on a warm registry, the only git process of a read. Yet what
// `git tag -a` wrote is known but for the tagger: the target, the name,
// the message after git's clean-up, and the date gto gave it. So the
// object is predicted, and checked: an object's id is the hash of its
// bytes, so a prediction whose hash is the id the new ref holds is exactly
// the object git wrote, and any other guess is dropped. Nothing is read
// from the object store for it.
//
// The tagger is git's committer identity. It is predicted from
// GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL (CI jobs set them), else
// from the identity of the last tag gto learned this way: when no
// prediction holds and cat-file is running anyway (a register resolving
// its revision), the new tag is read from it, one round trip, and its
// tagger remembered for the next write.
//
// A made tag is not cached at once: a cached object is trusted even if
// the store loses it later, and a tag that no command read yet should
// read as git has it. The tags gto made lately are a memo instead; a
// lookup of a tag the cache lacks finds one there while its loose object
// file (where `git tag` wrote it) exists, and caches it then, as a read
// from git would. A made tag packed or lost since is read from git.

// taggerSlot is the memo slot of the tagger of the last tag gto wrote and
// read back: "Name <email>". madeTagsSlot holds the tags gto made lately,
// as records of the object cache's format.
const (
	taggerSlot   = "tagger"
	madeTagsSlot = "made-tags"
)

// maxMadeTags bounds the made tags remembered: a command confirms the
// ones it reads, and a few writes go by before the next read.
const maxMadeTags = 32

// madeTags are the made tags of the memo, loaded on first lookup.
type madeTags struct {
	memos   *objectCache // the object cache whose memos hold them
	objects string       // the object store's folder
	once    sync.Once
	byID    map[string]TagObject
}

// newMadeTags returns the made tags of the memos of cache, nil when
// their loose objects cannot be looked for.
func (r *Repo) newMadeTags(cache *objectCache) *madeTags {
	if !r.plainRefs {
		return nil
	}
	return &madeTags{memos: cache, objects: filepath.Join(r.commonDir(), "objects")}
}

// tagInto finds the made tag id, if its loose object still exists.
func (m *madeTags) tagInto(id []byte, t *TagObject) bool {
	if m == nil || !objectid.Is(id) {
		return false
	}
	m.once.Do(func() { m.byID = m.load() })
	tag, ok := m.byID[string(id)]
	if !ok {
		return false
	}
	if st, err := os.Lstat(filepath.Join(m.objects, string(id[:2]), string(id[2:]))); err != nil || !st.Mode().IsRegular() {
		return false
	}
	*t = tag
	return true
}

// load decodes the memo; a damaged one holds none.
func (m *madeTags) load() map[string]TagObject {
	_, value, ok := m.memos.memo(madeTagsSlot)
	if !ok {
		return nil
	}
	tags := decodeMadeTags(value)
	byID := make(map[string]TagObject, len(tags))
	for _, t := range tags {
		byID[t.ID] = t
	}
	return byID
}

func decodeMadeTags(value string) []TagObject {
	var tags []TagObject
	d := &decoder{s: value}
	for d.more() {
		kind, size := d.byte(), d.uvarint()
		if d.err != nil || kind != recTag || size > uint64(len(d.s)-d.off) {
			return nil
		}
		rec := &decoder{s: d.s[d.off : d.off+int(size)]}
		t := rec.tag()
		if rec.err != nil || rec.off != len(rec.s) {
			return nil
		}
		tags = append(tags, t)
		d.off += int(size)
	}
	return tags
}

// addMade adds tags to the memo, keeping the last maxMadeTags.
func (b *Batch) addMade(tags []TagObject) {
	_, value, _ := b.cache.memo(madeTagsSlot)
	all := append(decodeMadeTags(value), tags...)
	all = all[max(0, len(all)-maxMadeTags):]
	var buf []byte
	for i := range all {
		buf = appendRecord(buf, recTag, appendTag(nil, &all[i]))
	}
	b.cache.setMemo(madeTagsSlot, "", string(buf))
}

// RememberMadeTags remembers the tag objects just created for reqs (by
// CreateTag or UpdateTags, not those given as Object), where it can tell
// their bytes, for the next command to find (see above). It never fails:
// a tag it cannot tell is read from git by the next command, as before.
func (b *Batch) RememberMadeTags(reqs []TagRequest) {
	if b == nil || b.cache == nil || b.cache.made == nil {
		return
	}
	var made []TagObject
	for _, req := range reqs {
		if req.Object != "" || (req.Sign != nil && *req.Sign) {
			continue // made elsewhere (and read there), or signed: not predictable
		}
		id, ok := b.repo.refFromFiles("refs/tags/" + req.Name)
		if !ok || !objectid.Is(id) {
			continue
		}
		t, ok := b.predictTag(req, id)
		if !ok {
			if t, ok = b.readBack(id); ok {
				b.cache.setMemo(taggerSlot, "", t.TaggerName+" <"+t.TaggerEmail+">")
			}
		}
		if ok {
			made = append(made, t)
		}
	}
	if len(made) > 0 {
		b.addMade(made)
	}
}

// predictTag returns the tag object id if one of the taggers it can guess
// gives an object of that id.
func (b *Batch) predictTag(req TagRequest, id string) (TagObject, bool) {
	date := req.Date
	if date == "" {
		date = b.repo.getenv("GIT_COMMITTER_DATE")
	}
	stamp, zone, ok := rawDate(date)
	if !ok || !objectid.Is(req.Target) || len(req.Target) != len(id) {
		return TagObject{}, false
	}
	head := "object " + req.Target + "\ntype commit\ntag " + req.Name + "\ntagger "
	tail := " " + stamp + " " + zone + "\n\n" + stripSpace(req.Message)
	for _, who := range b.taggers() {
		body := []byte(head + who + tail)
		if objectid.Names(id, "tag", body) {
			t, err := parseTag(id, body)
			return t, err == nil
		}
	}
	return TagObject{}, false
}

// taggers are the identities git may have tagged with, most likely first.
func (b *Batch) taggers() []string {
	var out []string
	name, email := b.repo.getenv("GIT_COMMITTER_NAME"), b.repo.getenv("GIT_COMMITTER_EMAIL")
	if name != "" && email != "" {
		out = append(out, name+" <"+email+">")
	}
	if _, who, ok := b.cache.memo(taggerSlot); ok && who != "" {
		out = append(out, who)
	}
	return out
}

// readBack reads the tag object id from cat-file, only when the process
// already runs: starting it costs this write what it would save the next
// command.
func (b *Batch) readBack(id string) (TagObject, bool) {
	if !b.contents.begun.Load() {
		return TagObject{}, false
	}
	var t TagObject
	var ok bool
	err := b.read(true, []string{id}, func(_ int, obj *rawObject) error {
		if obj != nil && obj.Type == "tag" {
			parsed, err := parseTag(obj.ID, obj.Data)
			t, ok = parsed, err == nil && parsed.HasTagger
		}
		return nil
	})
	return t, ok && err == nil
}

// rawDate splits a date in git's internal format ("1640998800 +0000", as
// the registry dates tags, or "@1640998800 +0000") into what the tagger
// line holds; ok is false for any other format git accepts, which gto
// does not parse.
func rawDate(date string) (stamp, zone string, ok bool) {
	stamp, zone, ok = strings.Cut(strings.TrimPrefix(date, "@"), " ")
	if !ok || len(zone) != 5 || (zone[0] != '+' && zone[0] != '-') || !digits(zone[1:]) || !digits(stamp) ||
		(len(stamp) > 1 && stamp[0] == '0') {
		return "", "", false
	}
	if _, ok := parseGitTime(stamp, zone); !ok {
		return "", "", false
	}
	return stamp, zone, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// stripSpace is git's default clean-up of a tag message (strbuf_stripspace
// with "#" comments): lines starting with "#" go, trailing whitespace of
// each line goes, runs of empty lines become one, and empty lines at the
// start and end go; every line ends with "\n".
func stripSpace(msg string) string {
	var out strings.Builder
	empties := 0
	for line := range strings.Lines(msg) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimRight(line, " \t\n\r")
		if line == "" {
			empties++
			continue
		}
		if empties > 0 && out.Len() > 0 {
			out.WriteByte('\n')
		}
		empties = 0
		out.WriteString(line)
		out.WriteByte('\n')
	}
	return out.String()
}
