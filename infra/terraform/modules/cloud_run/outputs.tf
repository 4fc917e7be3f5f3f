output "backend_service" {
  description = "Backend service name."
  value       = google_cloud_run_v2_service.backend.name
}

output "frontend_service" {
  description = "Frontend service name."
  value       = google_cloud_run_v2_service.frontend.name
}

output "backend_url" {
  description = "Backend's run.app URL."
  value       = google_cloud_run_v2_service.backend.uri
}

output "frontend_url" {
  description = "Frontend's run.app URL."
  value       = google_cloud_run_v2_service.frontend.uri
}

output "migrate_job" {
  description = "Migration job name."
  value       = google_cloud_run_v2_job.migrate.name
}

output "app_host" {
  description = "The app's host name."
  value       = local.app_host
}

output "api_host" {
  description = "The API's host name."
  value       = local.api_host
}

output "dns_records" {
  description = "Host => the DNS records to create at your DNS provider for each domain mapping."
  value = {
    for host, mapping in google_cloud_run_domain_mapping.hosts : host => [
      for record in try(mapping.status[0].resource_records, []) : {
        type  = record.type
        name  = record.name == "" ? host : "${record.name}.${var.domain}"
        value = record.rrdata
      }
    ]
  }
}
