package tagname

import "strconv"

// Action is the kind of event a GTO tag records. The zero Action is not valid.
type Action int

// The actions, in the order of the Python reference's Action enum values used on the
// wire ("register", ...). ActionCreate is only ever parsed: gto never writes "@created".
const (
	ActionRegister Action = iota + 1
	ActionDeregister
	ActionAssign
	ActionUnassign
	ActionDeprecate
	ActionCreate
)

var actionNames = [...]string{
	ActionRegister:   "register",
	ActionDeregister: "deregister",
	ActionAssign:     "assign",
	ActionUnassign:   "unassign",
	ActionDeprecate:  "deprecate",
	ActionCreate:     "create",
}

// String returns the reference's name of the action ("register", "deregister",
// "assign", "unassign", "deprecate", "create"), or "Action(N)" for an invalid one.
func (a Action) String() string {
	if a >= ActionRegister && a <= ActionCreate {
		return actionNames[a]
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}
