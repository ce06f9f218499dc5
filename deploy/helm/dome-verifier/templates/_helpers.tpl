{{- define "dome-verifier.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dome-verifier.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dome-verifier.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dome-verifier.labels" -}}
helm.sh/chart: {{ include "dome-verifier.chart" . }}
{{ include "dome-verifier.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "dome-verifier.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dome-verifier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dome-verifier.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dome-verifier.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The identity Secret: the operator's (existingSecret) or the one this chart makes. */}}
{{- define "dome-verifier.identitySecretName" -}}
{{- $s := .Values.app.backend.security.serviceIdentity.existingSecret -}}
{{- if $s.enabled -}}{{- tpl $s.name $ -}}{{- else -}}{{- printf "%s-identity" (include "dome-verifier.fullname" .) -}}{{- end -}}
{{- end -}}

{{- define "dome-verifier.identitySecretPrivateKey" -}}
{{- $s := .Values.app.backend.security.serviceIdentity.existingSecret -}}
{{- if $s.enabled -}}{{- tpl $s.privateKey $ -}}{{- else -}}private-key{{- end -}}
{{- end -}}

{{- define "dome-verifier.identitySecretCredential" -}}
{{- $s := .Values.app.backend.security.serviceIdentity.existingSecret -}}
{{- if $s.enabled -}}{{- tpl $s.verifiableCredential $ -}}{{- else -}}verifiable-credential{{- end -}}
{{- end -}}

{{/* Replicas that can run at once: replicaCount, or autoscaling.maxReplicas. */}}
{{- define "dome-verifier.maxReplicas" -}}
{{- if .Values.autoscaling.enabled -}}{{- int .Values.autoscaling.maxReplicas -}}{{- else -}}{{- int .Values.replicaCount -}}{{- end -}}
{{- end -}}

{{- define "dome-verifier.redisEnabled" -}}
{{- if or .Values.store.redis.url .Values.store.redis.existingSecret.name -}}true{{- end -}}
{{- end -}}

{{- define "dome-verifier.redisSecretName" -}}
{{- if .Values.store.redis.existingSecret.name -}}{{- tpl .Values.store.redis.existingSecret.name $ -}}{{- else -}}{{- printf "%s-redis" (include "dome-verifier.fullname" .) -}}{{- end -}}
{{- end -}}

{{/* Spring level name (es.in2.vcverifier) to the verifier's LOG_LEVEL. */}}
{{- define "dome-verifier.logLevel" -}}
{{- $level := index .Values.app.backend.logging.level "es.in2.vcverifier" | default "INFO" | toString | lower -}}
{{- $map := dict "trace" "trace" "debug" "debug" "info" "info" "warn" "warn" "warning" "warn" "error" "error" "fatal" "fatal" "off" "silent" -}}
{{- if not (hasKey $map $level) -}}
{{- fail (printf "app.backend.logging.level.es.in2.vcverifier: %q is not a level (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF)" $level) -}}
{{- end -}}
{{- get $map $level -}}
{{- end -}}

{{/* The port the probes and the ServiceMonitor use: the management port when set. */}}
{{- define "dome-verifier.opsPortName" -}}
{{- if .Values.management.port -}}management{{- else -}}http{{- end -}}
{{- end -}}

{{/* Refuses values this verifier cannot start with, naming the value to set. */}}
{{- define "dome-verifier.validate" -}}
{{- $b := .Values.app.backend -}}
{{- $id := $b.security.serviceIdentity -}}
{{- if not $b.url -}}
{{- fail "app.backend.url is required: the public base URL of the verifier (OAuth issuer), e.g. https://verifier.dome-marketplace.eu" -}}
{{- end -}}
{{- if not $b.trustFrameworks -}}
{{- fail "app.backend.trustFrameworks is required: at least one trust framework (name, trustedIssuersListUrl, trustedServicesListUrl)" -}}
{{- end -}}
{{- if and (not $id.existingSecret.enabled) (not $id.privateKey) -}}
{{- fail "app.backend.security.serviceIdentity: set existingSecret (enabled, name, privateKey) or privateKey: every replica must sign with the same configured key" -}}
{{- end -}}
{{- if and (not $b.x509.trustAnchors.pem) (not $b.x509.trustAnchors.existingConfigMap.name) -}}
{{- fail "app.backend.x509.trustAnchors is required by this verifier (verifier.backend.x509.trustAnchors): set pem (PEM roots inline) or existingConfigMap.name (and .key) with the roots credential x5c chains are verified to" -}}
{{- end -}}
{{- if and (gt (int (include "dome-verifier.maxReplicas" .)) 1) (not (include "dome-verifier.redisEnabled" .)) -}}
{{- fail (printf "%d replicas need the shared Redis store: set store.redis.existingSecret.name (a Secret holding the redis:// URL) or store.redis.url; without it each replica keeps its own replay set and logins" (int (include "dome-verifier.maxReplicas" .))) -}}
{{- end -}}
{{- end -}}
