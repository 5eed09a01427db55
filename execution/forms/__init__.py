"""Forms of the execution pages: an app's typed inputs."""
