package browser

import (
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

var (
	titleStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("5"))
	trackStyle = lipgloss.NewStyle().Bold(true)
	selected   = lipgloss.NewStyle().Foreground(lipgloss.Color("6")).Bold(true)
	faintText  = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	warnText   = lipgloss.NewStyle().Foreground(lipgloss.Color("3"))
	goodText   = lipgloss.NewStyle().Foreground(lipgloss.Color("2")).Bold(true)
)

// truncate cuts styled text to n cells.
func truncate(s string, n int) string { return ansi.Truncate(s, max(n, 1), "…") }
