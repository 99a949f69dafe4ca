package kurrenttest

import (
	"context"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
)

// serverVersion is the KurrentDB version the double claims to be.
const serverVersion = "24.10.0"

type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

// GetSupportedMethods lists the Streams methods the double answers. BatchAppend is not among them, so a client
// that could use it keeps to Append.
func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	const svc = "event_store.client.streams.streams"
	return &serverfeatures.SupportedMethods{EventStoreServerVersion: serverVersion, Methods: []*serverfeatures.SupportedMethod{
		{ServiceName: svc, MethodName: "read"},
		{ServiceName: svc, MethodName: "append"},
		{ServiceName: svc, MethodName: "tombstone"},
	}}, nil
}

type gossipService struct {
	gossip.UnimplementedGossipServer
	s *Server
}

// Read describes a one-node cluster whose leader is this server, which is what a client given gossip seeds
// (esdb://a,b,c or esdb+discover://) asks for before it connects.
func (g gossipService) Read(context.Context, *shared.Empty) (*gossip.ClusterInfo, error) {
	return &gossip.ClusterInfo{Members: []*gossip.MemberInfo{{
		InstanceId:   structuredUUID([16]byte{0x6b, 0x75, 0x72, 0x72, 0x65, 0x6e, 0x74, 0x74, 0x65, 0x73, 0x74}),
		TimeStamp:    time.Now().UnixNano() / 100,
		State:        gossip.MemberInfo_Leader,
		IsAlive:      true,
		HttpEndPoint: &gossip.EndPoint{Address: "127.0.0.1", Port: uint32(g.s.port)},
	}}}, nil
}
