package main

// SOAP encoding helpers, producing the same wire format as the simulator's
// Service.ServeSDK (soapenv prefixed envelope, "<Type>Fault" detail element).

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	vxml "github.com/vmware/govmomi/vim25/xml"
)

var vimTypeFunc = types.TypeFunc()

// typeFunc mirrors the simulator's defaultMapType (handles "ns1:Type" names).
func typeFunc(name string) (reflect.Type, bool) {
	t, ok := vimTypeFunc(name)
	if !ok {
		if kind := strings.SplitN(name, ":", 2); len(kind) == 2 {
			t, ok = vimTypeFunc(kind[1])
		}
	}
	return t, ok
}

type soapEnvelope struct {
	XMLName vxml.Name   `xml:"soapenv:Envelope"`
	Enc     string      `xml:"xmlns:soapenc,attr"`
	Env     string      `xml:"xmlns:soapenv,attr"`
	XSD     string      `xml:"xmlns:xsd,attr"`
	XSI     string      `xml:"xmlns:xsi,attr"`
	Body    interface{} `xml:"soapenv:Body"`
}

type faultDetail struct {
	Fault types.AnyType
}

func (d *faultDetail) MarshalXML(e *vxml.Encoder, start vxml.StartElement) error {
	kind := reflect.TypeOf(d.Fault).Elem().Name()
	start.Name.Local = kind + "Fault"
	start.Attr = append(start.Attr,
		vxml.Attr{Name: vxml.Name{Local: "xmlns"}, Value: "urn:" + vim25.Namespace},
		vxml.Attr{Name: vxml.Name{Local: "xsi:type"}, Value: kind})
	return e.EncodeElement(d.Fault, start)
}

type soapFault struct {
	XMLName vxml.Name `xml:"soapenv:Fault"`
	Code    string    `xml:"faultcode"`
	String  string    `xml:"faultstring"`
	Detail  struct {
		Fault *faultDetail
	} `xml:"detail"`
}

type response struct {
	Body soap.HasFault
}

func (r *response) MarshalXML(e *vxml.Encoder, start vxml.StartElement) error {
	val := reflect.ValueOf(r.Body).Elem().FieldByName("Res")
	if !val.IsValid() || val.IsNil() {
		return fmt.Errorf("%T: missing Res", r.Body)
	}
	res := vxml.StartElement{Name: vxml.Name{Space: "urn:" + vim25.Namespace, Local: val.Elem().Type().Name()}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(val.Interface(), res); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

func encodeEnvelope(body interface{}) ([]byte, error) {
	var out bytes.Buffer
	out.WriteString(vxml.Header)
	e := vxml.NewEncoder(&out)
	err := e.Encode(&soapEnvelope{
		Enc:  "http://schemas.xmlsoap.org/soap/encoding/",
		Env:  "http://schemas.xmlsoap.org/soap/envelope/",
		XSD:  "http://www.w3.org/2001/XMLSchema",
		XSI:  "http://www.w3.org/2001/XMLSchema-instance",
		Body: body,
	})
	if err == nil {
		err = e.Flush()
	}
	return out.Bytes(), err
}

// writeBody writes a methods.*Body (Res or Fault_ set) as the HTTP response.
func writeBody(w http.ResponseWriter, body soap.HasFault) {
	if f := body.Fault(); f != nil {
		writeSoapFault(w, f)
		return
	}
	data, err := encodeEnvelope(&response{body})
	if err != nil {
		writeFault(w, "esxsim: encoding response: "+err.Error(), &types.SystemError{Reason: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// writeFault answers a SOAP fault of the given vim25 type.
func writeFault(w http.ResponseWriter, msg string, fault types.BaseMethodFault) {
	writeSoapFault(w, simulator.Fault(msg, fault))
}

func writeSoapFault(w http.ResponseWriter, f *soap.Fault) {
	sf := &soapFault{Code: f.Code, String: f.String}
	sf.Detail.Fault = &faultDetail{f.Detail.Fault}
	data, err := encodeEnvelope(struct{ Fault *soapFault }{sf})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(data)
}

// encodeRequest builds a request envelope for the in-process forwarding of
// calls to the simulator, e.g. &methods.PowerOnVM_TaskBody{Req: ...}.
func encodeRequest(body interface{}) []byte {
	env := soap.Envelope{Body: body}
	data, err := vxml.Marshal(env)
	if err != nil {
		panic(err) // static request types: a programming error
	}
	return append([]byte(vxml.Header), data...)
}

// decodeResponse decodes a simulator response envelope into a methods.*Body.
func decodeResponse(data []byte, body soap.HasFault) error {
	dec := vxml.NewDecoder(bytes.NewReader(data))
	dec.TypeFunc = typeFunc
	env := soap.Envelope{Body: body}
	return dec.Decode(&env)
}

// methodName finds the name of the first element inside soap Body, cheaply.
func methodName(data []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(data))
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			if err != io.EOF {
				return ""
			}
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			if inBody {
				return se.Name.Local
			}
			if se.Name.Local == "Body" {
				inBody = true
			}
		}
	}
}
