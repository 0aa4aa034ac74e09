// Package config is the registry configuration of gto: the `.gto` YAML file at
// the repository root and the GTO_* environment variables, which win over the
// file. It does no output and reads the environment only through the lookup
// function given to Load.
package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gto-dev/gto/tagname"
)

// Default names and values.
const (
	// FileName is the name of the configuration file at the repository root,
	// unless GTO_CONFIG_FILE_NAME says otherwise.
	FileName = ".gto"
	// DefaultIndex is the default name of the annotations file.
	DefaultIndex = "artifacts.yaml"
	// DefaultLogLevel is the default log level.
	DefaultLogLevel = "INFO"
)

// Config is the registry configuration.
type Config struct {
	// Types are the allowed artifact types: nil allows any type, an empty
	// non-nil list none.
	Types []string
	// Stages are the allowed stages in configuration order (gto prints them
	// in that order): nil allows any stage, an empty non-nil list none.
	Stages []string
	// Emojis tells whether output may use emojis (default true).
	Emojis bool
	// LogLevel is the configured log level (default "INFO").
	LogLevel string
	// Index is the name of the annotations file (default "artifacts.yaml").
	Index string
	// File is the path of the configuration file that was read, "" when
	// there was none.
	File string

	// typesFrom and stagesFrom name where Types and Stages came from (".gto",
	// "GTO_STAGES"), for error messages.
	typesFrom, stagesFrom string
}

// Default returns the configuration used when neither a file nor the
// environment sets anything: any type and stage, emojis on, log level INFO,
// index artifacts.yaml.
func Default() Config {
	return Config{Emojis: true, LogLevel: DefaultLogLevel, Index: DefaultIndex}
}

// StagesConfigured reports whether the configuration restricts stages.
func (c Config) StagesConfigured() bool { return c.Stages != nil }

// CheckStage returns an error unless stage is a valid stage name and, when
// stages are configured, one of them.
func (c Config) CheckStage(stage string) error {
	return check("stage", "stages", stage, c.Stages, c.stagesFrom)
}

// CheckType returns an error unless typ is a valid type name and, when types
// are configured, one of them.
func (c Config) CheckType(typ string) error {
	return check("type", "types", typ, c.Types, c.typesFrom)
}

// check implements CheckStage and CheckType.
func check(kind, plural, name string, allowed []string, from string) error {
	if err := tagname.ValidateName(kind, name); err != nil {
		return err
	}
	if allowed == nil || slices.Contains(allowed, name) {
		return nil
	}
	if len(allowed) == 0 {
		if from == "" {
			from = "the configuration"
		}
		return fmt.Errorf("no %s are allowed by %s", plural, from)
	}
	return fmt.Errorf("%s %q is not allowed; allowed %s: %s", kind, name, plural, strings.Join(allowed, ", "))
}
