package yamldoc

import "testing"

// The expected texts are Python's str() of the value ruamel.yaml builds
// (checked with python3: str(float(...)), str(int(...))).
func TestPythonStr(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"true", "True", true},
		{"FALSE", "False", true},
		{"123", "123", true},
		{"0x1F", "31", true},
		{"0o17", "15", true},
		{"017", "17", true},
		{"0b101", "5", true},
		{"1_000", "1000", true},
		{"+5", "5", true},
		{"-0", "0", true},
		{"-0x10", "-16", true},
		{"123456789012345678901234567890", "123456789012345678901234567890", true},
		{"1.50", "1.5", true},
		{"1.0", "1.0", true},
		{"1e3", "1000.0", true},
		{".5", "0.5", true},
		{"1.", "1.0", true},
		{"1.e3", "1000.0", true},
		{"-0.0", "-0.0", true},
		{"+1.5", "1.5", true},
		{"1e16", "1e+16", true},
		{"1e15", "1000000000000000.0", true},
		{"0.00001", "1e-05", true},
		{"2.5e-7", "2.5e-07", true},
		{"1_000.5", "1000.5", true},
		{"1e400", "inf", true},
		{"-1e400", "-inf", true},
		{".inf", "inf", true},
		{"-.Inf", "-inf", true},
		{".NaN", "nan", true},
		{"0b", "", false}, // ruamel fails to build it
		{"yes", "", false},
		{"1.2.3", "", false},
		{"v1", "", false},
		{"null", "", false},
		{"2022-01-01", "", false},
		{"0X1F", "", false},
		{"", "", false},
	} {
		got, ok := PythonStr(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("PythonStr(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
