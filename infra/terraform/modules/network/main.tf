# The VPC: private services access (Cloud SQL private IP, Memorystore) and a subnet for Cloud Run's
# Direct VPC egress, so both services reach the database and Redis on private addresses only.
variable "project_id" {
  type        = string
  description = "Google Cloud project id."
}

variable "region" {
  type        = string
  description = "Region of the subnet (same as Cloud Run)."
}

variable "run_subnet_cidr" {
  type        = string
  description = "CIDR of the subnet Cloud Run instances get addresses from (Direct VPC egress needs at least /26)."
}

resource "google_compute_network" "vpc" {
  project                 = var.project_id
  name                    = "eaili5-vpc"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "run" {
  project                  = var.project_id
  name                     = "eaili5-run"
  region                   = var.region
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.run_subnet_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Nothing in this VPC accepts connections from outside it: Cloud Run only sends (Direct VPC egress)
# and Cloud SQL / Memorystore sit in Google's peered network. Denied attempts are logged.
resource "google_compute_firewall" "deny_ingress" {
  project   = var.project_id
  name      = "eaili5-deny-all-ingress"
  network   = google_compute_network.vpc.id
  direction = "INGRESS"
  priority  = 65534
  deny {
    protocol = "all"
  }
  source_ranges = ["0.0.0.0/0"]
  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

# Private services access: Google-managed services (Cloud SQL, Memorystore) get addresses from this range.
resource "google_compute_global_address" "private_services" {
  project       = var.project_id
  name          = "eaili5-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 16
  network       = google_compute_network.vpc.id
}

resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.vpc.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]
}

output "network_id" {
  description = "The VPC's id."
  value       = google_compute_network.vpc.id
}

output "network_name" {
  description = "The VPC's name."
  value       = google_compute_network.vpc.name
}

output "run_subnet_id" {
  description = "The Cloud Run egress subnet's id."
  value       = google_compute_subnetwork.run.id
}

# The VPC id, available only once the peering exists: Cloud SQL and Redis take their network from this,
# so they are created after private services access without an explicit depends_on.
output "private_network_id" {
  description = "The VPC's id, after private services access is connected."
  value       = google_compute_network.vpc.id
  depends_on  = [google_service_networking_connection.private_services]
}
