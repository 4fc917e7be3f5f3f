# The two Cloud Run services, the migration job and the domain mappings.
# Cloud Build deploys new revisions and moves traffic; Terraform owns everything else about them.

locals {
  app_host = "base.${var.domain}"
  api_host = "base-api.${var.domain}"
  backend_plain_env = merge({
    EAILI5_ENVIRONMENT     = "production"
    EAILI5_PUBLIC_URL      = "https://${local.app_host}"
    EAILI5_ALLOWED_ORIGINS = "https://${local.app_host}"
    # Only Google's front end reaches the container, so its X-Forwarded-For is the client.
    EAILI5_TRUSTED_PROXIES = "*"
    EAILI5_GCP_PROJECT     = var.project_id
    EAILI5_LOG_FORMAT      = "json"
    }, var.backend_env, var.farcaster_account_association.header == "" ? {} : {
    # The backend builds /.well-known/farcaster.json (nginx proxies it) and checks the domain.
    EAILI5_FARCASTER_ACCOUNT_ASSOCIATION = jsonencode(var.farcaster_account_association)
  })
  backend_port = 8000
}

resource "google_cloud_run_v2_service" "backend" {
  project             = var.project_id
  name                = "eaili5-base-backend"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = true

  template {
    service_account                  = var.backend_service_account
    timeout                          = "${var.backend_timeout_seconds}s"
    max_instance_request_concurrency = var.backend_concurrency
    session_affinity                 = true
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"

    scaling {
      min_instance_count = var.backend_min_instances
      max_instance_count = var.backend_max_instances
    }

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"
      network_interfaces {
        network    = var.network_name
        subnetwork = var.subnet_id
      }
    }

    containers {
      name  = "app"
      image = var.backend_image

      ports {
        name           = "http1"
        container_port = local.backend_port
      }

      resources {
        limits = {
          cpu    = var.backend_cpu
          memory = var.backend_memory
        }
        # CPU stays allocated between requests: WebSockets, the market poller and housekeeping run then.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.backend_plain_env
        content {
          name  = env.key
          value = env.value
        }
      }

      # Secrets as files: the app reads <SETTING>_FILE (see core/settings.py).
      dynamic "env" {
        for_each = var.backend_file_secrets
        content {
          name  = "${env.value}_FILE"
          value = "/secrets/${env.key}/value"
        }
      }

      dynamic "volume_mounts" {
        for_each = var.backend_file_secrets
        content {
          name       = "secret-${volume_mounts.key}"
          mount_path = "/secrets/${volume_mounts.key}"
        }
      }

      startup_probe {
        http_get {
          path = "/readyz"
          port = local.backend_port
        }
        initial_delay_seconds = 0
        period_seconds        = 5
        timeout_seconds       = 3
        failure_threshold     = 24
      }

      liveness_probe {
        http_get {
          path = "/healthz"
          port = local.backend_port
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }

    # Managed Prometheus sidecar: scrapes the app's /metrics (ws_connections_active and the rest).
    containers {
      name       = "metrics"
      image      = var.gmp_sidecar_image
      depends_on = ["app"]
      resources {
        limits = {
          cpu    = "1"
          memory = "256Mi"
        }
      }
      volume_mounts {
        name       = "gmp-config"
        mount_path = "/etc/rungmp"
      }
    }

    dynamic "volumes" {
      for_each = var.backend_file_secrets
      content {
        name = "secret-${volumes.key}"
        secret {
          secret = var.secret_ids[volumes.key]
          items {
            version = "latest"
            path    = "value"
          }
        }
      }
    }

    volumes {
      name = "gmp-config"
      secret {
        secret = var.gmp_config_secret
        items {
          version = "latest"
          path    = "config.yaml"
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [
      template[0].containers[0].image,
      template[0].revision,
      traffic,
      client,
      client_version,
    ]
  }
}

resource "google_cloud_run_v2_service" "frontend" {
  project             = var.project_id
  name                = "eaili5-base-frontend"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = true

  template {
    service_account                  = var.frontend_service_account
    max_instance_request_concurrency = var.frontend_concurrency

    scaling {
      min_instance_count = var.frontend_min_instances
      max_instance_count = var.frontend_max_instances
    }

    containers {
      name  = "nginx"
      image = var.frontend_image

      ports {
        name           = "http1"
        container_port = 80
      }

      resources {
        limits = {
          cpu    = var.frontend_cpu
          memory = var.frontend_memory
        }
        cpu_idle = true
      }

      env {
        name  = "EAILI5_API_ORIGIN"
        value = "https://${local.api_host}"
      }
      env {
        name  = "EAILI5_PUBLIC_URL"
        value = "https://${local.app_host}"
      }
      env {
        name  = "EAILI5_CONNECT_SRC_EXTRA"
        value = var.frontend_connect_src_extra
      }
      # WalletConnect is offered only when its project id is configured: the same secret the backend reads,
      # as an env var for nginx's start-up script (config.js + CSP). Absent from the map: not offered.
      dynamic "env" {
        for_each = contains(keys(var.backend_file_secrets), "walletconnect-project-id") ? ["walletconnect-project-id"] : []
        content {
          name = "WALLETCONNECT_PROJECT_ID"
          value_source {
            secret_key_ref {
              secret  = var.secret_ids[env.value]
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/healthz"
          port = 80
        }
        period_seconds    = 2
        timeout_seconds   = 2
        failure_threshold = 15
      }

      liveness_probe {
        http_get {
          path = "/healthz"
          port = 80
        }
        period_seconds = 30
      }
    }
  }

  lifecycle {
    ignore_changes = [
      template[0].containers[0].image,
      template[0].revision,
      traffic,
      client,
      client_version,
    ]
  }
}

# Both are public web endpoints: anyone may invoke them (the app does its own auth).
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = {
    backend  = google_cloud_run_v2_service.backend.name
    frontend = google_cloud_run_v2_service.frontend.name
  }
  project  = var.project_id
  location = var.region
  name     = each.value
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# `eaili5 migrate` with the backend image, executed by Cloud Build before each backend deploy.
resource "google_cloud_run_v2_job" "migrate" {
  project             = var.project_id
  name                = "eaili5-migrate"
  location            = var.region
  deletion_protection = false

  template {
    task_count = 1
    template {
      service_account = var.backend_service_account
      max_retries     = 0
      timeout         = "600s"

      vpc_access {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = var.network_name
          subnetwork = var.subnet_id
        }
      }

      containers {
        image   = var.backend_image
        command = ["eaili5"]
        args    = ["migrate"]

        env {
          name  = "EAILI5_ENVIRONMENT"
          value = "production"
        }
        # Production settings need both the database and Redis to load.
        dynamic "env" {
          for_each = { for name, setting in var.backend_file_secrets : name => setting if contains(["database-url", "redis-url"], name) }
          content {
            name  = "${env.value}_FILE"
            value = "/secrets/${env.key}/value"
          }
        }
        dynamic "volume_mounts" {
          for_each = { for name, setting in var.backend_file_secrets : name => setting if contains(["database-url", "redis-url"], name) }
          content {
            name       = "secret-${volume_mounts.key}"
            mount_path = "/secrets/${volume_mounts.key}"
          }
        }
      }

      dynamic "volumes" {
        for_each = { for name, setting in var.backend_file_secrets : name => setting if contains(["database-url", "redis-url"], name) }
        content {
          name = "secret-${volumes.key}"
          secret {
            secret = var.secret_ids[volumes.key]
            items {
              version = "latest"
              path    = "value"
            }
          }
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [template[0].template[0].containers[0].image, client, client_version]
  }
}

# base.DOMAIN -> frontend, base-api.DOMAIN -> backend. The domain must be verified for the
# deploying account first (gcloud domains verify DOMAIN); DNS records are in the outputs.
resource "google_cloud_run_domain_mapping" "hosts" {
  for_each = {
    (local.app_host) = google_cloud_run_v2_service.frontend.name
    (local.api_host) = google_cloud_run_v2_service.backend.name
  }
  project  = var.project_id
  location = var.region
  name     = each.key

  metadata {
    namespace = var.project_id
  }

  spec {
    route_name = each.value
  }
}
