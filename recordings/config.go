package recordings

import (
	"fmt"
	"log/slog"
	"time"
)

// Defaults of Config, used where a field is left zero.
const (
	DefaultSyncEvery = 5 * time.Second
	DefaultWorkers   = 2
	DefaultHold      = 200 * time.Millisecond

	// MaxHold bounds Config.Hold: every recorder keeps twice the hold in memory.
	MaxHold = 2 * time.Second
)

// Config configures a Writer. Zero fields take the defaults above.
type Config struct {
	// Dir is the root folder of the recordings ($HOTLINE_DATA_DIR/recordings). Required; created by Start
	// if missing.
	Dir string
	// SyncEvery is how much call audio may pass between two header patches and fdatasyncs of a file:
	// a crash loses at most about this much of the end of a call. Default 5s; must be > 0 when set.
	SyncEvery time.Duration
	// Workers is the number of goroutines writing blocks to disk. Default 2.
	Workers int
	// Hold is how long samples stay editable before they are final: the jitter allowance for late and
	// reordered packets. Samples may also arrive up to Hold (plus 40 ms) ahead of the pacer. Each recorder
	// keeps 2×Hold of audio in memory (14 KiB at the default). Default 200ms; at most MaxHold.
	Hold time.Duration
	// Log receives disk errors and repairs. Default: discard.
	Log *slog.Logger
}

// withDefaults returns cfg with the zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.SyncEvery == 0 {
		cfg.SyncEvery = DefaultSyncEvery
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Hold == 0 {
		cfg.Hold = DefaultHold
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// validate checks a Config that has its defaults applied, naming the first bad field.
func (cfg Config) validate() error {
	switch {
	case cfg.Dir == "":
		return fmt.Errorf("recordings config: Dir is empty, want the folder of the recordings")
	case cfg.SyncEvery <= 0:
		return fmt.Errorf("recordings config: SyncEvery is %v, want > 0", cfg.SyncEvery)
	case cfg.SyncEvery < time.Second/sampleRate:
		return fmt.Errorf("recordings config: SyncEvery is %v, want at least one sample (%v)", cfg.SyncEvery, time.Second/sampleRate)
	case cfg.Workers < 0:
		return fmt.Errorf("recordings config: Workers is %d, want > 0", cfg.Workers)
	case cfg.Hold < 0 || cfg.Hold > MaxHold:
		return fmt.Errorf("recordings config: Hold is %v, want between 0 and %v", cfg.Hold, MaxHold)
	}
	return nil
}
