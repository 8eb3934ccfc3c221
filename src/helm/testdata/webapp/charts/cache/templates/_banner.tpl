{{- define "shared.banner" -}}sub banner{{- end }}
