package main

import (
	"log/slog"

	"hotline/httpapi"
)

// vietnam is the hotline's time zone (days of calls, figures "today").
var vietnam = httpapi.Vietnam

// levelQuiet keeps the admin verbs' own logging to warnings: they speak in one line on stderr.
const levelQuiet = slog.LevelWarn
