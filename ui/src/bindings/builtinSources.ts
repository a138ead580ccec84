// Generated from crates/core/src/catalog/sources.json by the core tests. Do not edit.
import type { Source } from "./Source";

export const builtinSources: Source[] = [
  {
    "specId": "3c9b37f8-13a6-43d8-bad3-b863b941fedd",
    "specVersion": "1.0",
    "specKey": "google-big-query",
    "displayName": "Google BigQuery",
    "category": "Databases",
    "description": "Bring tables from a Google BigQuery project into Experience Platform.",
    "authMethods": [
      {
        "specName": "Basic Authentication",
        "label": "OAuth 2 refresh token",
        "help": "Platform queries BigQuery with a refresh token issued by Google to your OAuth client.",
        "authType": "OAuth2.0",
        "params": [
          {
            "name": "project",
            "field": "project",
            "label": "Project ID",
            "help": "The project ID of the default BigQuery project to query against.",
            "placeholder": "my-analytics-project",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "clientId",
            "field": "clientId",
            "label": "Client ID",
            "help": "The ID value used to generate the refresh token.",
            "placeholder": "1234567890-abc.apps.googleusercontent.com",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "clientSecret",
            "field": "clientSecret",
            "label": "Client secret",
            "help": "The secret value used to generate the refresh token.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": true,
            "hidden": false
          },
          {
            "name": "refreshToken",
            "field": "refreshToken",
            "label": "Refresh token",
            "help": "The refresh token obtained from Google used to authorize access to BigQuery.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": true,
            "hidden": false
          },
          {
            "name": "largeResultsDataSetId",
            "field": "largeResultsDataSetId",
            "label": "Large results dataset ID",
            "help": "Optional. A dataset BigQuery may use to hold large query results.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": false,
            "secret": false,
            "hidden": false
          }
        ],
        "consent": {
          "kind": "google",
          "scope": "https://www.googleapis.com/auth/bigquery"
        },
        "credentialCheck": null,
        "keyMaterial": null,
        "clientSecretField": null,
        "mintedToken": null
      },
      {
        "specName": "Service Authentication",
        "label": "Service account key",
        "help": "Platform queries BigQuery as a Google Cloud service account.",
        "params": [
          {
            "name": "projectId",
            "field": "projectId",
            "label": "Project ID",
            "help": "The project ID of the default BigQuery project to query against.",
            "placeholder": "my-analytics-project",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "keyFileContent",
            "field": "keyFileContent",
            "label": "Service account key file",
            "help": "Choose or drop the service account's JSON key, as downloaded from the Google Cloud console. Flow Connect Base64-encodes it.",
            "placeholder": "",
            "kind": {
              "type": "fileBase64",
              "accept": ".json,application/json"
            },
            "required": true,
            "secret": true,
            "hidden": false
          },
          {
            "name": "largeResultsDataSetId",
            "field": "largeResultsDataSetId",
            "label": "Large results dataset ID",
            "help": "Optional. A dataset BigQuery may use to hold large query results.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": false,
            "secret": false,
            "hidden": false
          }
        ],
        "consent": {
          "kind": "none"
        },
        "credentialCheck": null,
        "keyMaterial": null,
        "clientSecretField": null,
        "mintedToken": null
      }
    ],
    "origin": "builtIn",
    "explore": {
      "kind": "tabular",
      "paged": false
    }
  },
  {
    "specId": "d6b52d86-f0f8-475f-89d4-ce54c8527328",
    "specVersion": "1.0",
    "specKey": "oracle",
    "displayName": "Oracle",
    "category": "Databases",
    "description": "Bring tables from an Oracle database into Experience Platform.",
    "authMethods": [
      {
        "specName": "ConnectionString",
        "label": "Connection string",
        "help": "Platform connects with a connection string of the form Host=…;Port=…;Sid=…;User Id=…;Password=….",
        "params": [
          {
            "name": "connectionString",
            "field": "connectionString",
            "label": "Connection string",
            "help": "The connection string used to connect to your Oracle database.",
            "placeholder": "",
            "kind": {
              "type": "connectionString",
              "parts": [
                {
                  "field": "host",
                  "key": "Host",
                  "label": "Host",
                  "help": "The host name or IP address of the Oracle server.",
                  "kind": "host",
                  "secret": false
                },
                {
                  "field": "port",
                  "key": "Port",
                  "label": "Port",
                  "help": "The port the Oracle listener accepts connections on, usually 1521.",
                  "kind": "port",
                  "secret": false
                },
                {
                  "field": "sid",
                  "key": "Sid",
                  "label": "SID",
                  "help": "The system identifier of the Oracle database instance.",
                  "kind": "text",
                  "secret": false
                },
                {
                  "field": "userId",
                  "key": "User Id",
                  "label": "User name",
                  "help": "The database user Platform signs in as.",
                  "kind": "text",
                  "secret": false
                },
                {
                  "field": "password",
                  "key": "Password",
                  "label": "Password",
                  "help": "The password of that database user.",
                  "kind": "text",
                  "secret": true
                }
              ]
            },
            "required": true,
            "secret": true,
            "hidden": false
          }
        ],
        "consent": {
          "kind": "none"
        },
        "credentialCheck": null,
        "keyMaterial": null,
        "clientSecretField": null,
        "mintedToken": null
      }
    ],
    "origin": "builtIn",
    "explore": {
      "kind": "tabular",
      "paged": false
    }
  },
  {
    "specId": "4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62",
    "specVersion": "1.0",
    "specKey": "generic-rest-api",
    "displayName": "Generic REST API",
    "category": "Protocols",
    "description": "Bring data from any REST API that uses OAuth 2 or basic authentication.",
    "authMethods": [
      {
        "specName": "oAuth2RefreshCode",
        "label": "OAuth 2 refresh code",
        "help": "Platform calls the API with an OAuth 2 access token and refreshes it when it expires.",
        "params": [
          {
            "name": "host",
            "field": "host",
            "label": "Host",
            "help": "The base URL of the REST API, such as https://api.example.com.",
            "placeholder": "https://api.example.com",
            "kind": {
              "type": "url"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "authorizationTestUrl",
            "field": "authorizationTestUrl",
            "label": "Authorization test URL",
            "help": "Optional. A URL Platform calls to check the credentials while it creates the connection.",
            "placeholder": "",
            "kind": {
              "type": "url"
            },
            "required": false,
            "secret": false,
            "hidden": false
          },
          {
            "name": "clientId",
            "field": "clientId",
            "label": "Client ID",
            "help": "The client ID of your OAuth application.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": false,
            "secret": false,
            "hidden": false
          },
          {
            "name": "clientSecret",
            "field": "clientSecret",
            "label": "Client secret",
            "help": "The client secret of your OAuth application.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": false,
            "secret": true,
            "hidden": false
          },
          {
            "name": "accessToken",
            "field": "accessToken",
            "label": "Access token",
            "help": "The access token Platform sends to the API.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": true,
            "hidden": false
          },
          {
            "name": "refreshToken",
            "field": "refreshToken",
            "label": "Refresh token",
            "help": "Optional. The refresh token Platform uses to get a new access token.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": false,
            "secret": true,
            "hidden": false
          },
          {
            "name": "expirationDate",
            "field": "expirationDate",
            "label": "Access token expiry",
            "help": "When the access token expires; filled in when Flow Connect obtains the token.",
            "placeholder": "",
            "kind": {
              "type": "date"
            },
            "required": false,
            "secret": false,
            "hidden": true
          },
          {
            "name": "accessTokenUrl",
            "field": "accessTokenUrl",
            "label": "Access token URL",
            "help": "Optional. The token endpoint Platform calls to refresh the access token.",
            "placeholder": "",
            "kind": {
              "type": "url"
            },
            "required": false,
            "secret": false,
            "hidden": false
          }
        ],
        "consent": {
          "kind": "rest"
        },
        "credentialCheck": null,
        "keyMaterial": null,
        "clientSecretField": null,
        "mintedToken": null
      },
      {
        "specName": "Basic Authentication",
        "label": "Basic authentication",
        "help": "Platform calls the API with a user name and password.",
        "params": [
          {
            "name": "host",
            "field": "host",
            "label": "Host",
            "help": "The base URL of the REST API, such as https://api.example.com.",
            "placeholder": "https://api.example.com",
            "kind": {
              "type": "url"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "username",
            "field": "username",
            "label": "User name",
            "help": "The user name for the API.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "password",
            "field": "password",
            "label": "Password",
            "help": "The password for the API.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": true,
            "hidden": false
          }
        ],
        "consent": {
          "kind": "none"
        },
        "credentialCheck": null,
        "keyMaterial": null,
        "clientSecretField": null,
        "mintedToken": null
      }
    ],
    "origin": "builtIn",
    "explore": {
      "kind": "resource",
      "paged": false
    }
  },
  {
    "specId": "eb13cb25-47ab-407f-ba89-c0125281c563",
    "specVersion": "1.0",
    "specKey": "service-now",
    "displayName": "ServiceNow",
    "category": "Customer success",
    "description": "Bring tables from a ServiceNow instance into Experience Platform.",
    "authMethods": [
      {
        "specName": "Basic Authentication",
        "label": "Basic authentication",
        "help": "Platform signs in to your ServiceNow instance with a user name and password.",
        "params": [
          {
            "name": "endpoint",
            "field": "endpoint",
            "label": "Instance URL",
            "help": "The endpoint of the ServiceNow server, such as https://acme.service-now.com.",
            "placeholder": "https://acme.service-now.com",
            "kind": {
              "type": "url"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "username",
            "field": "username",
            "label": "User name",
            "help": "The username used to connect to the ServiceNow server for authentication.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": false,
            "hidden": false
          },
          {
            "name": "password",
            "field": "password",
            "label": "Password",
            "help": "The password to connect to the ServiceNow server for authentication.",
            "placeholder": "",
            "kind": {
              "type": "text"
            },
            "required": true,
            "secret": true,
            "hidden": false
          }
        ],
        "consent": {
          "kind": "none"
        },
        "credentialCheck": null,
        "keyMaterial": null,
        "clientSecretField": null,
        "mintedToken": null
      }
    ],
    "origin": "builtIn",
    "explore": {
      "kind": "tabular",
      "paged": false
    }
  }
];
