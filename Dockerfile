# Build: a static binary with the migrations, templates and assets embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/carecoord ./cmd/carecoord

# Run: nothing but the binary and CA certificates, as an unprivileged user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/carecoord /carecoord
USER nonroot:nonroot
ENV ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/carecoord"]
CMD ["serve"]
