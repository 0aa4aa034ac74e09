package config

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/tagname"
)

// applyEnv overrides c with the GTO_* variables that getenv finds.
func (c *Config) applyEnv(getenv func(string) (string, bool)) error {
	var err error
	if v, ok := getenv("GTO_TYPES"); ok {
		if c.Types, err = envNames("GTO_TYPES", "type", v); err != nil {
			return err
		}
		c.typesFrom = "GTO_TYPES"
	}
	if v, ok := getenv("GTO_STAGES"); ok {
		if c.Stages, err = envNames("GTO_STAGES", "stage", v); err != nil {
			return err
		}
		c.stagesFrom = "GTO_STAGES"
	}
	if v, ok := getenv("GTO_EMOJIS"); ok {
		b, valid := parseBool(v)
		if !valid {
			return fmt.Errorf("GTO_EMOJIS must be true or false, got %q", v)
		}
		c.Emojis = b
	}
	if v, ok := getenv("GTO_LOG_LEVEL"); ok {
		if v == "" {
			return fmt.Errorf("GTO_LOG_LEVEL must be a log level, got an empty value")
		}
		c.LogLevel = v
	}
	if v, ok := getenv("GTO_INDEX"); ok {
		if v == "" {
			return fmt.Errorf("GTO_INDEX must be a file name, got an empty value")
		}
		if reason := checkIndex(v); reason != "" {
			return indexError("GTO_INDEX", v, reason)
		}
		c.Index = v
	}
	return nil
}

// envNames reads a JSON list of stage or type names (kind) from the variable
// name, as gto does (`["qa", "prod"]`). JSON null means "not configured".
func envNames(name, kind, value string) ([]string, error) {
	var names []string
	if err := json.Unmarshal([]byte(value), &names); err != nil {
		return nil, fmt.Errorf("%s must be a JSON list of names: %v", name, err)
	}
	if strings.TrimSpace(value) == "null" {
		return nil, nil
	}
	if names == nil {
		names = []string{}
	}
	for _, n := range names {
		if err := tagname.ValidateName(kind, n); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return names, nil
}

// parseBool reads the boolean spellings gto (pydantic) accepts, ignoring
// case: true/false, yes/no, on/off, y/n, t/f, 1/0.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "y", "t", "1":
		return true, true
	case "false", "no", "off", "n", "f", "0":
		return false, true
	}
	return false, false
}
