{{- define "common.hello" -}}hello from common{{- end }}
