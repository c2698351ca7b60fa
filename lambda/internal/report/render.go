package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// JSON writes the report as indented JSON with a trailing newline.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode report JSON: %w", err)
	}
	return nil
}

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper":    func(s Status) string { return strings.ToUpper(string(s)) },
	"sevColor": severityColor,
	"cell":     func(row map[string]string, col string) string { return row[col] },
	"add":      func(a, b int) int { return a + b },
}).Parse(htmlSource))

// HTML writes the report as one self-contained page: inline CSS and SVG, no
// scripts and no external references, so it can be mailed, archived in S3 and
// opened offline, and it prints legibly.
func (r *Report) HTML(w io.Writer) error {
	data := struct {
		*Report
		TimeChart    timeChart
		RulesChart   barChart
		AccountChart barChart
	}{r, newTimeChart(r.Findings.OverTime), newBarChart(r.Findings.TopRules, true), newBarChart(r.Findings.TopAccount, false)}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, data); err != nil {
		return fmt.Errorf("render report HTML: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// severityColor is chosen to stay distinguishable in greyscale print too
// (dark to light with severity falling).
func severityColor(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return "#7f1d1d"
	case finding.High:
		return "#c2410c"
	case finding.Medium:
		return "#d97706"
	case finding.Low:
		return "#60a5fa"
	default:
		return "#cbd5e1"
	}
}

// Chart geometry is computed here, not in the template, so that the template
// only places numbers it is given.
type rect struct {
	X, Y, W, H int
	Fill       string
	Title      string
}

type label struct {
	X, Y   int
	Text   string
	Anchor string
}

type timeChart struct {
	Width, Height int
	Bars          []rect
	Labels        []label
	Grid          []label // y-axis values; the line runs across at Y
	Legend        []legendItem
	Empty         bool
	PlotLeft      int
	PlotRight     int
}

type legendItem struct {
	X, Y  int
	Color string
	Text  string
}

func newTimeChart(days []DayCounts) timeChart {
	const (
		width, height       = 960, 260
		left, right, top    = 48, 12, 30
		bottom              = 40
		plotH               = height - top - bottom
		legendY             = 14
		maxBarW, minBarGap  = 56, 4
		gridLines           = 4
		dateLabelEveryWidth = 44
	)
	c := timeChart{Width: width, Height: height, PlotLeft: left, PlotRight: width - right}
	x := left
	for _, s := range finding.Severities {
		c.Legend = append(c.Legend, legendItem{X: x, Y: legendY - 9, Color: severityColor(s), Text: string(s)})
		x += 90
	}
	maxTotal := 0
	for _, d := range days {
		maxTotal = max(maxTotal, d.Total)
	}
	if len(days) == 0 || maxTotal == 0 {
		c.Empty = true
		return c
	}
	scaleMax := niceCeil(maxTotal)
	for i := 0; i <= gridLines; i++ {
		v := scaleMax * i / gridLines
		c.Grid = append(c.Grid, label{X: left - 6, Y: top + plotH - plotH*i/gridLines, Text: fmt.Sprint(v), Anchor: "end"})
	}
	plotW := width - left - right
	slot := plotW / len(days)
	barW := min(maxBarW, max(2, slot-minBarGap))
	every := 1
	if slot < dateLabelEveryWidth {
		every = (dateLabelEveryWidth + slot - 1) / slot
	}
	for i, d := range days {
		bx := left + i*slot + (slot-barW)/2
		y := top + plotH
		for j := len(d.Counts) - 1; j >= 0; j-- { // least severe at the bottom
			sc := d.Counts[j]
			if sc.Count == 0 {
				continue
			}
			h := max(1, sc.Count*plotH/scaleMax)
			y -= h
			c.Bars = append(c.Bars, rect{X: bx, Y: y, W: barW, H: h, Fill: severityColor(sc.Severity), Title: fmt.Sprintf("%s: %d %s", d.Day, sc.Count, sc.Severity)})
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, label{X: bx + barW/2, Y: top + plotH + 16, Text: shortDay(d.Day), Anchor: "middle"})
		}
	}
	return c
}

func shortDay(day string) string {
	if len(day) == len("2006-01-02") {
		return day[5:]
	}
	return day
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, for readable axes.
func niceCeil(n int) int {
	if n <= 4 {
		return 4
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 4, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

type barChart struct {
	Width, Height int
	Rows          []barRow
	Empty         bool
}

type barRow struct {
	Y, LabelX, BarX, BarW, ValueX int
	Label, Title                  string
	Count                         int
}

func newBarChart(items []NameCount, rules bool) barChart {
	const (
		width  = 960
		rowH   = 24
		labelW = 360
		valueW = 50
	)
	c := barChart{Width: width, Height: max(rowH, len(items)*rowH+8)}
	if len(items) == 0 {
		c.Empty = true
		return c
	}
	maxCount := items[0].Count
	for _, it := range items {
		maxCount = max(maxCount, it.Count)
	}
	plotW := width - labelW - valueW
	for i, it := range items {
		w := max(2, it.Count*plotW/max(1, maxCount))
		text, title := it.Name, it.Name
		if rules && it.Title != "" {
			title = it.Name + " " + it.Title
			text = it.Title
		}
		c.Rows = append(c.Rows, barRow{Y: 4 + i*rowH, LabelX: labelW - 8, BarX: labelW, BarW: w, ValueX: labelW + w + 6,
			Label: ellipsize(text, 52), Title: title, Count: it.Count})
	}
	return c
}

// ellipsize cuts s to at most n runes, never inside a rune.
func ellipsize(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
