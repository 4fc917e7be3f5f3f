# Uptime checks, alert policies, a dashboard and log retention.
variable "project_id" {
  type        = string
  description = "Google Cloud project id."
}

variable "app_host" {
  type        = string
  description = "The app's host (frontend)."
}

variable "api_host" {
  type        = string
  description = "The API's host (backend)."
}

variable "backend_service" {
  type        = string
  description = "Backend Cloud Run service name."
}

variable "frontend_service" {
  type        = string
  description = "Frontend Cloud Run service name."
}

variable "notification_channels" {
  type        = list(string)
  description = "Notification channel ids (projects/P/notificationChannels/N) every alert goes to."
}

variable "error_ratio_threshold" {
  type        = number
  description = "Alert when the share of 5xx responses is above this (0.05 = 5%)."
}

variable "error_ratio_duration_seconds" {
  type        = number
  description = "... for this long."
}

variable "latency_p95_threshold_ms" {
  type        = number
  description = "Alert when the backend's p95 request latency is above this many milliseconds."
}

variable "latency_duration_seconds" {
  type        = number
  description = "... for this long."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the _Default log bucket."
}

locals {
  uptime_targets = {
    app = { host = var.app_host, path = "/healthz" }
    api = { host = var.api_host, path = "/healthz" }
  }
  # PromQL over Cloud Run's built-in metrics (WebSocket upgrades count as requests too).
  requests_5xx_ratio = <<-PROMQL
    sum by (service_name) (rate(run_googleapis_com:request_count{monitored_resource="cloud_run_revision",service_name=~"${var.backend_service}|${var.frontend_service}",response_code_class="5xx"}[5m]))
    /
    sum by (service_name) (rate(run_googleapis_com:request_count{monitored_resource="cloud_run_revision",service_name=~"${var.backend_service}|${var.frontend_service}"}[5m]))
  PROMQL
  backend_latency    = "run_googleapis_com:request_latencies_bucket{monitored_resource=\"cloud_run_revision\",service_name=\"${var.backend_service}\"}"
}

resource "google_monitoring_uptime_check_config" "hosts" {
  for_each     = local.uptime_targets
  project      = var.project_id
  display_name = "eaili5 ${each.key} (${each.value.host})"
  timeout      = "10s"
  period       = "60s"

  http_check {
    path         = each.value.path
    port         = 443
    use_ssl      = true
    validate_ssl = true
    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = each.value.host
    }
  }
}

resource "google_monitoring_alert_policy" "error_ratio" {
  project               = var.project_id
  display_name          = "eaili5: 5xx ratio above ${var.error_ratio_threshold * 100}%"
  combiner              = "OR"
  notification_channels = var.notification_channels
  severity              = "ERROR"

  conditions {
    display_name = "5xx share of requests"
    condition_prometheus_query_language {
      query               = "(${trimspace(local.requests_5xx_ratio)}) > ${var.error_ratio_threshold}"
      duration            = "${var.error_ratio_duration_seconds}s"
      evaluation_interval = "60s"
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "More than ${var.error_ratio_threshold * 100}% of requests failed with 5xx for ${var.error_ratio_duration_seconds} s. Runbook: docs/operations.md#alerts."
  }
}

resource "google_monitoring_alert_policy" "latency_p95" {
  project               = var.project_id
  display_name          = "eaili5: backend p95 latency above ${var.latency_p95_threshold_ms} ms"
  combiner              = "OR"
  notification_channels = var.notification_channels
  severity              = "WARNING"

  conditions {
    display_name = "p95 request latency"
    condition_prometheus_query_language {
      query               = "histogram_quantile(0.95, sum by (le) (rate(${local.backend_latency}[5m]))) > ${var.latency_p95_threshold_ms}"
      duration            = "${var.latency_duration_seconds}s"
      evaluation_interval = "60s"
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Backend p95 latency above ${var.latency_p95_threshold_ms} ms. Runbook: docs/operations.md#alerts."
  }
}

resource "google_monitoring_alert_policy" "uptime" {
  project               = var.project_id
  display_name          = "eaili5: uptime check failing"
  combiner              = "OR"
  notification_channels = var.notification_channels
  severity              = "CRITICAL"

  dynamic "conditions" {
    for_each = google_monitoring_uptime_check_config.hosts
    content {
      display_name = "${conditions.value.display_name} failing"
      condition_threshold {
        filter          = "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\" AND resource.type=\"uptime_url\" AND metric.label.check_id=\"${conditions.value.uptime_check_id}\""
        comparison      = "COMPARISON_GT"
        threshold_value = 1
        duration        = "60s"
        aggregations {
          alignment_period     = "1200s"
          per_series_aligner   = "ALIGN_NEXT_OLDER"
          cross_series_reducer = "REDUCE_COUNT_FALSE"
          group_by_fields      = ["resource.label.*"]
        }
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A host stopped answering /healthz from more than one region. Runbook: docs/operations.md#alerts."
  }
}

locals {
  run_filter = "resource.type=\"cloud_run_revision\" AND resource.label.service_name=monitoring.regex.full_match(\"${var.backend_service}|${var.frontend_service}\")"
  promql_tile = { for name, spec in {
    "Requests per second"             = "sum by (service_name) (rate(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\",service_name=~\"${var.backend_service}|${var.frontend_service}\"}[5m]))"
    "Backend latency p50 / p95 / p99" = "histogram_quantile(0.5, sum by (le) (rate(${local.backend_latency}[5m]))) or histogram_quantile(0.95, sum by (le) (rate(${local.backend_latency}[5m]))) or histogram_quantile(0.99, sum by (le) (rate(${local.backend_latency}[5m])))"
    "5xx error rate"                  = trimspace(local.requests_5xx_ratio)
    "Active WebSocket connections"    = "sum(ws_connections_active)"
    } : name => {
    title = name
    xyChart = {
      dataSets = [{ timeSeriesQuery = { prometheusQuery = spec }, plotType = "LINE" }]
    }
  } }
  filter_tile = { for name, metric in {
    "CPU utilisation"    = "run.googleapis.com/container/cpu/utilizations"
    "Memory utilisation" = "run.googleapis.com/container/memory/utilizations"
    } : name => {
    title = name
    xyChart = {
      dataSets = [{
        plotType = "LINE"
        timeSeriesQuery = { timeSeriesFilter = {
          filter      = "metric.type=\"${metric}\" AND ${local.run_filter}"
          aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_PERCENTILE_95", crossSeriesReducer = "REDUCE_MAX", groupByFields = ["resource.label.service_name"] }
        } }
      }]
    }
  } }
  instance_tile = {
    title = "Instances"
    xyChart = {
      dataSets = [{
        plotType = "LINE"
        timeSeriesQuery = { timeSeriesFilter = {
          filter      = "metric.type=\"run.googleapis.com/container/instance_count\" AND ${local.run_filter}"
          aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_MAX", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["resource.label.service_name"] }
        } }
      }]
    }
  }
  tiles = concat(values(local.promql_tile), values(local.filter_tile), [local.instance_tile])
}

resource "google_monitoring_dashboard" "main" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName = "EAILI5"
    mosaicLayout = {
      columns = 12
      tiles = [for index, widget in local.tiles : {
        xPos   = (index % 2) * 6
        yPos   = floor(index / 2) * 4
        width  = 6
        height = 4
        widget = widget
      }]
    }
  })
}

resource "google_logging_project_bucket_config" "default" {
  project        = var.project_id
  location       = "global"
  bucket_id      = "_Default"
  retention_days = var.log_retention_days
}

output "uptime_check_ids" {
  description = "Uptime check ids per host."
  value       = { for name, check in google_monitoring_uptime_check_config.hosts : name => check.uptime_check_id }
}

output "dashboard_id" {
  description = "The dashboard's id."
  value       = google_monitoring_dashboard.main.id
}
