{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "wsload.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: RELEASE-wsload, or RELEASE when it already contains the chart name.
     Truncated to 48 characters so that suffixes like "-agents" and pod ordinals stay within 63. */}}
{{- define "wsload.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wsload.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "wsload.labels" -}}
helm.sh/chart: {{ include "wsload.chart" . }}
app.kubernetes.io/name: {{ include "wsload.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wsload
{{- end }}

{{/* Selector labels of one component (agent, controller, target). Usage:
     include "wsload.selectorLabels" (dict "ctx" . "component" "agent") */}}
{{- define "wsload.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wsload.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "wsload.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/* Headless Service of the agents; also the StatefulSet's serviceName. */}}
{{- define "wsload.agentsServiceName" -}}
{{- printf "%s-agents" (include "wsload.fullname" .) }}
{{- end }}

{{/* The controller's --agents value: every address of the headless Service is one agent. */}}
{{- define "wsload.agentsAddress" -}}
{{- printf "dns:///%s.%s.svc.%s:7000" (include "wsload.agentsServiceName" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{- define "wsload.targetName" -}}
{{- printf "%s-target" (include "wsload.fullname" .) }}
{{- end }}

{{- define "wsload.scenarioConfigMapName" -}}
{{- printf "%s-scenario" (include "wsload.fullname" .) }}
{{- end }}

{{/* Secret holding the agent token: agents.existingSecret, or the chart's own Secret (which then
     requires agents.token). */}}
{{- define "wsload.agentTokenSecretName" -}}
{{- if .Values.agents.existingSecret }}
{{- .Values.agents.existingSecret }}
{{- else }}
{{- include "wsload.fullname" . }}
{{- end }}
{{- end }}

{{/* The chart's Secret exists when it holds at least one key. */}}
{{- define "wsload.needsSecret" -}}
{{- if or (not .Values.agents.existingSecret) .Values.target.enabled (and .Values.controller.enabled .Values.controller.authToken) }}true{{ end }}
{{- end }}

{{/* Scheduling of one component: its own nodeSelector/tolerations, else the top-level ones.
     Usage: include "wsload.scheduling" (dict "ctx" . "component" .Values.agents) */}}
{{- define "wsload.scheduling" -}}
{{- with (default .ctx.Values.nodeSelector .component.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default .ctx.Values.tolerations .component.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Service of the controller pod: its metrics and web ports (port-forward, ServiceMonitor). */}}
{{- define "wsload.controllerServiceName" -}}
{{- printf "%s-controller" (include "wsload.fullname" .) }}
{{- end }}

{{/* Fails unless the controller serves metrics: a monitor needs the Job's metrics port.
     Usage: include "wsload.requireMetrics" (dict "ctx" . "key" "metrics.serviceMonitor.enabled") */}}
{{- define "wsload.requireMetrics" -}}
{{- if not (and .ctx.Values.controller.enabled .ctx.Values.metrics.enabled) }}
{{- fail (printf "%s needs controller.enabled and metrics.enabled: the monitor scrapes the controller Job's metrics port" .key) }}
{{- end }}
{{- end }}

{{/* One monitor's endpoint settings (ServiceMonitor endpoints[] / PodMonitor podMetricsEndpoints[]).
     Usage: include "wsload.monitorEndpoint" .Values.metrics.serviceMonitor */}}
{{- define "wsload.monitorEndpoint" -}}
port: metrics
path: /metrics
{{- with .interval }}
interval: {{ . }}
{{- end }}
{{- with .scrapeTimeout }}
scrapeTimeout: {{ . }}
{{- end }}
honorLabels: {{ .honorLabels | default false }}
{{- with .relabelings }}
relabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .metricRelabelings }}
metricRelabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
