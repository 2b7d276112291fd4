{{- define "skillbridge.labels" -}}
app.kubernetes.io/name: skillbridge
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "skillbridge.selector" -}}
app.kubernetes.io/name: skillbridge
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "skillbridge.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secrets" .Release.Name) -}}
{{- end -}}

{{- define "skillbridge.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{/* The app containers' environment: plain settings, then the secrets. */}}
{{- define "skillbridge.env" -}}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- range $name := list "SKILLBRIDGE_DATABASE_URL" "SKILLBRIDGE_REDIS_URL" "SKILLBRIDGE_SECRET_KEY" "SKILLBRIDGE_OPS_TOKEN" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: {name: {{ include "skillbridge.secretName" $ }}, key: {{ $name }}}
{{- end }}
{{- range $name := list "SKILLBRIDGE_OPENAI_API_KEY" "SKILLBRIDGE_GITHUB_WEBHOOK_SECRET" "SKILLBRIDGE_SENTRY_DSN" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: {name: {{ include "skillbridge.secretName" $ }}, key: {{ $name }}, optional: true}
{{- end }}
{{- end -}}


{{/* The api's way to the matcher service. Only the api gets it: the NetworkPolicy admits only the api's pods,
and with the URL set the service comes first in the matching chain (the workers score in process). */}}
{{- define "skillbridge.matcherEnv" -}}
- name: SKILLBRIDGE_MATCHER_URL
  value: "http://{{ .Release.Name }}-matcher:8001"
- name: SKILLBRIDGE_MATCHER_TOKEN
  valueFrom:
    secretKeyRef: {name: {{ include "skillbridge.secretName" . }}, key: MATCHER_TOKEN}
{{- end -}}
